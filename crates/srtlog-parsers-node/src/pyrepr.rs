//! Reading Python reprs on one line: `ServerArgs(k=v, ...)` and `{'k': v, ...}` with nested
//! brackets, quoted strings, object reprs and enums. Only top-level items are split; values
//! are returned as raw bytes.

use crate::bytes::trim;

/// The body between the bracket at `open_at` (one of `( [ {`) and its matching close, quotes
/// respected. A body cut off by the end of the line (truncated line) runs to the end.
pub(crate) fn bracket_body(s: &[u8], open_at: usize) -> &[u8] {
    let mut depth = 0usize;
    let mut i = open_at;
    while i < s.len() {
        match s[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &s[open_at + 1..i];
                }
            }
            q @ (b'\'' | b'"') => i = skip_string(s, i, q),
            _ => {}
        }
        i += 1;
    }
    s.get(open_at + 1..).unwrap_or(&[])
}

/// Index of the closing quote of the string starting at `at` (or the last index).
fn skip_string(s: &[u8], at: usize, quote: u8) -> usize {
    let mut i = at + 1;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            c if c == quote => return i,
            _ => i += 1,
        }
    }
    s.len().saturating_sub(1)
}

/// Splits `body` on top-level commas (outside brackets and quotes).
pub(crate) fn top_level_items(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        if pos >= body.len() {
            return None;
        }
        let start = pos;
        let mut depth = 0usize;
        let mut i = pos;
        while i < body.len() {
            match body[i] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                q @ (b'\'' | b'"') => i = skip_string(body, i, q),
                b',' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        let end = i.min(body.len());
        pos = end + 1;
        Some(trim(&body[start..end]))
    })
}

/// `key=value` items of a keyword repr (`ServerArgs(...)` body). Keys are whole: an item whose
/// key is `moe_dense_tp_size` never reports as `tp_size`.
pub(crate) fn kwargs(body: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    top_level_items(body).filter_map(|item| {
        let eq = memchr::memchr(b'=', item)?;
        Some((trim(&item[..eq]), trim(&item[eq + 1..])))
    })
}

/// `'key': value` items of a dict repr body; the key is returned without quotes.
pub(crate) fn dict_items(body: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    top_level_items(body).filter_map(|item| {
        let q = *item.first()?;
        if q != b'\'' && q != b'"' {
            return None;
        }
        let close = memchr::memchr(q, &item[1..])? + 1;
        let rest = trim(&item[close + 1..]);
        let value = rest.strip_prefix(b":")?;
        Some((&item[1..close], trim(value)))
    })
}

/// A dict item: the key without quotes, and the value's text.
pub(crate) type DictItem<'a> = (&'a [u8], &'a [u8]);

/// The items of a flat dict repr starting at `open_at` (a `{`): `'key': value` pairs whose
/// values hold no bracket, quote or comma — TensorRT-LLM's per-iteration `states` dict, read on
/// every iteration line. One pass, up to `N` items; `None` for anything else (nesting, more
/// items, a line cut off inside the dict), which [`bracket_body`] and [`dict_items`] then read.
pub(crate) fn flat_dict_items<const N: usize>(
    s: &[u8],
    open_at: usize,
) -> Option<([DictItem<'_>; N], usize)> {
    let mut items: [DictItem<'_>; N] = [(&[], &[]); N];
    let mut count = 0;
    let mut i = open_at + 1;
    loop {
        while s.get(i) == Some(&b' ') {
            i += 1;
        }
        match *s.get(i)? {
            b'}' if count == 0 => return Some((items, 0)),
            q @ (b'\'' | b'"') => {
                let key_start = i + 1;
                let key_end = key_start + memchr::memchr(q, s.get(key_start..)?)?;
                let mut j = key_end + 1;
                while s.get(j) == Some(&b' ') {
                    j += 1;
                }
                if s.get(j) != Some(&b':') {
                    return None;
                }
                let value_start = j + 1;
                let mut k = value_start;
                let end = loop {
                    match *s.get(k)? {
                        b',' | b'}' => break k,
                        b'\'' | b'"' | b'(' | b'[' | b'{' | b')' | b']' => return None,
                        _ => k += 1,
                    }
                };
                *items.get_mut(count)? = (&s[key_start..key_end], trim(&s[value_start..end]));
                count += 1;
                if s[end] == b'}' {
                    return Some((items, count));
                }
                i = end + 1;
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_dicts_in_one_pass_and_everything_else_declined() {
        let line =
            b"x states = {'num_ctx_requests': 1, 'num_ctx_tokens': 1024,'num_generation_tokens' : 2} tail";
        let open = line.iter().position(|&c| c == b'{').expect("brace");
        let (items, n) = flat_dict_items::<4>(line, open).expect("flat");
        let want: [(&[u8], &[u8]); 3] =
            [(b"num_ctx_requests", b"1"), (b"num_ctx_tokens", b"1024"), (b"num_generation_tokens", b"2")];
        assert_eq!(&items[..n], &want[..]);
        // The same items as the general reader.
        let general: Vec<(&[u8], &[u8])> = dict_items(bracket_body(line, open)).collect();
        assert_eq!(general, &items[..n]);
        assert_eq!(flat_dict_items::<4>(b"{}", 0).map(|(_, n)| n), Some(0));
        for declined in [
            &b"{'a': 1, 'b': {'c': 2}}"[..],
            b"{'a': 'text'}",
            b"{'a': [1, 2]}",
            b"{'a': 1, 'b': 2",
            b"{'a' 1}",
            b"{a: 1}",
            b"{'a': 1, 'b': 2, 'c': 3, 'd': 4, 'e': 5}",
        ] {
            assert!(flat_dict_items::<4>(declined, 0).is_none(), "{}", String::from_utf8_lossy(declined));
        }
    }

    #[test]
    fn nested_dicts_keep_later_keys() {
        let s = b"args: {'model': '/m', 'kv_cache_config': {'a': {'b': 1}, 'c': 'x}y'}, 'sched': S(p=<E.X: 'x'>, q=[1, 2]), 'max_batch_size': 256} tail";
        let open = s.iter().position(|&c| c == b'{').expect("brace");
        let body = bracket_body(s, open);
        let items: Vec<(&[u8], &[u8])> = dict_items(body).collect();
        assert_eq!(items.len(), 4);
        assert_eq!(items[3], (&b"max_batch_size"[..], &b"256"[..]));
        assert_eq!(items[2].0, b"sched");
    }

    #[test]
    fn kwargs_are_whole_keys() {
        let body = b"moe_dense_tp_size=1, tp_size=4, json='{\"a\": 1, \"b\": 2}', x=None";
        let items: Vec<(&[u8], &[u8])> = kwargs(body).collect();
        assert_eq!(items[1], (&b"tp_size"[..], &b"4"[..]));
        assert_eq!(items.len(), 4);
    }
}
