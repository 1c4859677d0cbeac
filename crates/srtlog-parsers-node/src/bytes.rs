//! Small byte-level helpers shared by the line parsers: number parsing, ANSI stripping,
//! trimming. No allocation except where a function returns an owned value.

use srtlog_model::{BatchMetrics, RealField};

/// Removes a trailing `\r` (CRLF files).
pub(crate) fn strip_cr(line: &[u8]) -> &[u8] {
    match line.last() {
        Some(b'\r') => &line[..line.len() - 1],
        _ => line,
    }
}

/// Trims ASCII whitespace at both ends.
pub(crate) fn trim(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if first.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = b {
        if last.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// Trims ASCII whitespace at the start.
pub(crate) fn trim_start(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if first.is_ascii_whitespace() {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// Parses an unsigned decimal integer that makes up all of `b` (after trimming spaces).
pub(crate) fn parse_u64(b: &[u8]) -> Option<u64> {
    let b = trim(b);
    if b.is_empty() || b.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    Some(v)
}

/// Parses a `u32` that makes up all of `b`.
pub(crate) fn parse_u32(b: &[u8]) -> Option<u32> {
    parse_u64(b).and_then(|v| u32::try_from(v).ok())
}

/// The position of the next `, ` at or after `from` (or `s.len()`): where a field of a
/// `name: value, name: value` line ends. Both parsers call it for every field of every
/// metrics line, so it jumps from comma to comma with `memchr` instead of testing each byte.
pub(crate) fn field_end(s: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(k) = s.get(i..).and_then(|rest| memchr::memchr(b',', rest)) {
        let at = i + k;
        if s.get(at + 1) == Some(&b' ') {
            return at;
        }
        i = at + 1;
    }
    s.len()
}

/// Byte-slice equality in 8-byte words (inlined; a `bcmp` call costs more for short names):
/// whole words, then the last 8 bytes as one more word (overlapping the one before) instead of
/// a byte loop over the tail; below 8 bytes the same with 4-byte words.
#[inline]
pub(crate) fn eq_words(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word4 = |s: &[u8], at: usize| u32::from_ne_bytes(s[at..at + 4].try_into().expect("4 bytes"));
    if n >= 8 {
        // Whole words as arrays (no bounds check per word), then the last 8 bytes.
        let (words_a, tail_a) = a.as_chunks::<8>();
        let (words_b, _) = b.as_chunks::<8>();
        let last = |s: &[u8]| u64::from_ne_bytes(s[n - 8..].try_into().expect("8 bytes"));
        words_a.iter().zip(words_b).all(|(x, y)| u64::from_ne_bytes(*x) == u64::from_ne_bytes(*y))
            && (tail_a.is_empty() || last(a) == last(b))
    } else if n >= 4 {
        word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4)
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

/// Parses a float that makes up all of `b` (after trimming spaces).
///
/// Plain decimals (`123`, `0.45`, `-1.5`) with at most 19 digits take [`leading_decimal`]'s
/// exact fast path; everything else goes through `str::parse`.
pub(crate) fn parse_f64(b: &[u8]) -> Option<f64> {
    let b = trim(b);
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    match leading_decimal(digits) {
        Some((v, used)) if used == digits.len() => Some(if neg { -v } else { v }),
        _ => std::str::from_utf8(b).ok()?.parse::<f64>().ok(),
    }
}

/// The plain decimal `s` starts with — digits with at most one `.`, at most 19 digits, no sign
/// or exponent — and its length in bytes; `None` when `s` does not start with a digit or a `.`
/// and a digit, or when a 20th digit follows (the caller then takes the general rule).
///
/// The value is exactly what `str::parse::<f64>` gives for the same text ([`Decimal::value`]).
/// The line parsers call it where a value starts, so the value's end comes from the parse,
/// with no search for the next `, `.
#[inline(always)]
pub(crate) fn leading_decimal(s: &[u8]) -> Option<(f64, usize)> {
    leading_decimal_digits(s).map(|(d, len)| (d.value(), len))
}

/// A plain decimal as printed: its digits as one integer and how many of them follow the `.`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decimal {
    mantissa: u64,
    frac_digits: u32,
    digits: u32,
}

impl Decimal {
    /// The decimal correctly rounded, as `str::parse` gives it: while the mantissa is below
    /// 2^53 (every decimal of 15 digits, most of 16: Python's float `repr`, which
    /// TensorRT-LLM prints), the quotient of two exact `f64`s, one correctly rounded division;
    /// else [`decimal_to_f64`]'s integer division.
    #[inline(always)]
    pub(crate) fn value(self) -> f64 {
        if self.mantissa <= EXACT_INTEGERS {
            self.mantissa as f64 / POW10[self.frac_digits as usize]
        } else {
            decimal_to_f64(self.mantissa, self.frac_digits)
        }
    }

    /// Sets `field` of `b` to the decimal: from its digits when there are at most 15 (so
    /// that `Batches` keeps a short one in one word), else from its value.
    #[inline(always)]
    pub(crate) fn set(self, b: &mut BatchMetrics, field: RealField) {
        if self.digits > 15 || !b.set_decimal(field, self.mantissa, self.frac_digits) {
            b.set_real(field, self.value());
        }
    }
}

/// [`leading_decimal`] as printed, and its length in bytes.
#[inline(always)]
pub(crate) fn leading_decimal_digits(s: &[u8]) -> Option<(Decimal, usize)> {
    let (mantissa, int_digits, mut i) = digit_run::<false>(s, 0, 0, 0, 19)?;
    let (mantissa, n_digits) = if s.get(i) == Some(&b'.') {
        let (m, n, end) = digit_run::<true>(s, i + 1, mantissa, int_digits, 19)?;
        i = end;
        (m, n)
    } else {
        (mantissa, int_digits)
    };
    if n_digits == 0 {
        return None;
    }
    Some((Decimal { mantissa, frac_digits: n_digits - int_digits, digits: n_digits }, i))
}

/// The unsigned integer of at most `max_digits` digits (≤ 19) that `s` starts with, and its
/// length; `None` when `s` does not start with a digit or more digits follow.
#[inline]
pub(crate) fn leading_integer(s: &[u8], max_digits: usize) -> Option<(u64, usize)> {
    let (v, n, end) = digit_run::<false>(s, 0, 0, 0, max_digits as u32)?;
    (n > 0).then_some((v, end))
}

/// The digits of `s[i..]` appended to `mantissa` (which holds `n` digits): the new mantissa,
/// its digit count and where the digits end; `None` when the count would pass `max` (≤ 19, so
/// the mantissa never overflows). With `WORDS`, eight bytes at a time while eight remain
/// ([`eight_digits`]), then byte by byte: that pays for the long fractions (Python's float
/// `repr`, 15 or 16 fractional digits, TensorRT-LLM's step times) and costs more than the byte
/// loop on the short counts and integer parts that make up most values (callgrind, PERFORMANCE.md).
#[inline(always)]
fn digit_run<const WORDS: bool>(
    s: &[u8],
    mut i: usize,
    mut mantissa: u64,
    mut n: u32,
    max: u32,
) -> Option<(u64, u32, usize)> {
    while let Some(chunk) = if WORDS { s.get(i..i + 8) } else { None } {
        let (value, k) = eight_digits(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        if n + k > max {
            return None;
        }
        mantissa = mantissa * POW10_U64[k as usize] + value;
        n += k;
        i += k as usize;
        if k < 8 {
            return Some((mantissa, n, i));
        }
    }
    while let Some(&c) = s.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        if n == max {
            return None;
        }
        mantissa = mantissa * 10 + u64::from(c - b'0');
        n += 1;
        i += 1;
    }
    Some((mantissa, n, i))
}

/// The leading decimal digits of the eight bytes of `word` (little-endian: the first byte is
/// the lowest): their value and how many there are (0 to 8). A byte is a digit when neither
/// `byte - 0x30` borrows nor `byte + 0x46` reaches `0x80`; a borrow or carry only moves to
/// higher bytes, so the flags below the first non-digit are exact. The digits are shifted to
/// the top (the bytes below become leading zeros) and combined in pairs, fours and eights.
#[inline(always)]
fn eight_digits(word: u64) -> (u64, u32) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let values = word.wrapping_sub(ONES * 0x30);
    let non_digit = (values | word.wrapping_add(ONES * 0x46)) & (ONES * 0x80);
    let k = non_digit.trailing_zeros() / 8;
    if k == 0 {
        return (0, 0);
    }
    let d = values << (8 * (8 - k));
    let d = (d.wrapping_mul(10) + (d >> 8)) & 0x00FF_00FF_00FF_00FF;
    let d = (d.wrapping_mul(100) + (d >> 16)) & 0x0000_FFFF_0000_FFFF;
    let d = (d.wrapping_mul(10_000) + (d >> 32)) & 0xFFFF_FFFF;
    (d, k)
}

const POW10_U64: [u64; 9] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

/// The powers of ten an `f64` holds exactly (10^22 is the last).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
];

/// Every integer up to this one (2^53) is an exact `f64`.
const EXACT_INTEGERS: u64 = 1 << 53;

/// `mantissa / 10^frac_digits` correctly rounded to the nearest `f64` (ties to even), as
/// `str::parse` rounds it, for `frac_digits <= 19`: the numerator is shifted left until its top
/// bit is bit 127, one `u128` division gives a quotient of at least 64 bits and a remainder,
/// and the quotient's top 53 bits are rounded with the bits below them and the remainder as
/// the sticky part. Every step is exact integer arithmetic; the last multiplication by a power
/// of two is exact too (the result is a normal number: at least `10^-19`, below `2^64`).
pub(crate) fn decimal_to_f64(mantissa: u64, frac_digits: u32) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    let divisor = u128::from(10u64.pow(frac_digits.min(19)));
    let lz_m = mantissa.leading_zeros();
    // value = numerator / divisor × 2^-(64 + lz_m)
    let numerator = u128::from(mantissa) << (64 + lz_m);
    let (q, r) = (numerator / divisor, numerator % divisor);
    // divisor < 2^64 and numerator >= 2^127, so q > 2^63: it has every bit we need.
    let lz_q = q.leading_zeros();
    let m = q << lz_q; // top bit at 127; the bits shifted in are zeros, the remainder is below
    let mut hi = (m >> 75) as u64; // 53 bits
    let rest = m & ((1u128 << 75) - 1);
    let half = 1u128 << 74;
    let round_up = rest > half || (rest == half && (r != 0 || hi & 1 == 1));
    let mut exp = 75 - 64 - i64::from(lz_m) - i64::from(lz_q);
    if round_up {
        hi += 1;
        if hi == 1 << 53 {
            hi >>= 1;
            exp += 1;
        }
    }
    // 2^exp as an f64 (exp is far inside the normal range here).
    let scale = f64::from_bits(((exp + 1023) as u64) << 52);
    hi as f64 * scale
}

/// Parses a Python bool literal.
pub(crate) fn parse_bool(b: &[u8]) -> Option<bool> {
    match trim(b) {
        b"True" | b"true" => Some(true),
        b"False" | b"false" => Some(false),
        _ => None,
    }
}

/// Whether `line` holds an ESC byte.
pub(crate) fn has_esc(line: &[u8]) -> bool {
    memchr::memchr(0x1b, line).is_some()
}

/// Copies `line` into `out` without ANSI escape sequences (`ESC [ ... final`, and lone ESCs).
///
/// dynamo colours its prefix (about ten sequences in the first hundred bytes), so the text
/// between escapes is short: it is copied eight bytes at a time while a word test finds the
/// next ESC, and the text after the last escape in one copy.
pub(crate) fn strip_ansi_into(line: &[u8], out: &mut Vec<u8>) {
    const ESC: u8 = 0x1b;
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    out.clear();
    let Some(last_esc) = memchr::memrchr(ESC, line) else {
        out.extend_from_slice(line);
        return;
    };
    // Written in place; `w <= i` always, and the unused tail is cut at the end.
    out.resize(line.len(), 0);
    let n = line.len();
    let (mut i, mut w) = (0usize, 0usize);
    while i < n {
        if i > last_esc {
            out[w..w + (n - i)].copy_from_slice(&line[i..]);
            w += n - i;
            break;
        }
        if let (Some(src), Some(dst)) = (line.get(i..i + 8), out.get_mut(w..w + 8)) {
            dst.copy_from_slice(src);
            let mut word = [0u8; 8];
            word.copy_from_slice(src);
            let x = u64::from_le_bytes(word) ^ (ONES * u64::from(ESC));
            // The lowest flagged byte is the first ESC (flags above a zero byte can be false).
            let zero = x.wrapping_sub(ONES) & !x & HIGHS;
            if zero == 0 {
                i += 8;
                w += 8;
                continue;
            }
            let k = (zero.trailing_zeros() / 8) as usize;
            i += k;
            w += k;
        } else {
            // Fewer than eight bytes left before the end: one at a time.
            if line[i] != ESC {
                out[w] = line[i];
                i += 1;
                w += 1;
                continue;
            }
        }
        // line[i] is an ESC.
        i += 1;
        if line.get(i) == Some(&b'[') {
            i += 1;
            // Parameter and intermediate bytes, then one final byte 0x40..=0x7E.
            while i < n && !(0x40..=0x7e).contains(&line[i]) {
                i += 1;
            }
            i += 1;
        }
    }
    out.truncate(w);
}

/// `s` starts with `prefix`.
pub(crate) fn starts_with(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && &s[..prefix.len()] == prefix
}

/// The position of `needle` in `hay`.
///
/// Candidate lines are short and each needle is searched once per line, so a one-shot
/// `memmem` searcher (whose set-up costs more than the search) loses to `memchr` on the first
/// byte plus a compare.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    find_short(hay, needle)
}

/// The last position of `needle` in `hay` (see [`find`]).
pub(crate) fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut end = hay.len();
    while let Some(at) = memchr::memrchr(first, &hay[..end]) {
        if hay[at + 1..].starts_with(rest) {
            return Some(at);
        }
        end = at;
    }
    None
}

/// The bytes of `s` after the first `needle`.
pub(crate) fn after<'a>(s: &'a [u8], needle: &[u8]) -> Option<&'a [u8]> {
    find(s, needle).map(|i| &s[i + needle.len()..])
}

/// Lossy UTF-8 text of `b`, owned.
pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The first position of a short `needle` in a short `s`: memchr on the first byte, then a
/// compare. No searcher set-up, which dominates for the small slices of a field list.
pub(crate) fn find_short(s: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(i) = memchr::memchr(first, &s[from..]) {
        let at = from + i;
        if s[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Splits `s` on `", "` and yields each piece; used for `name: value` field lists.
pub(crate) fn comma_fields(s: &[u8]) -> impl Iterator<Item = &[u8]> {
    split_on(s, b", ")
}

/// Splits `s` on `sep` and yields each piece.
pub(crate) fn split_on<'a>(s: &'a [u8], sep: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let cur = rest?;
        match find_short(cur, sep) {
            Some(i) => {
                rest = Some(&cur[i + sep.len()..]);
                Some(&cur[..i])
            }
            None => {
                rest = None;
                Some(cur)
            }
        }
    })
}

/// Splits a field `name<sep>value` at the first `sep` (one byte, or two bytes like `": "`).
pub(crate) fn split_field<'a>(field: &'a [u8], sep: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let i = find_short(field, sep)?;
    Some((trim(&field[..i]), trim(&field[i + sep.len()..])))
}

/// Parses `[MM/DD/YYYY-HH:MM:SS]`-style TensorRT-LLM dates (without the brackets).
pub(crate) fn parse_us_date(b: &[u8]) -> Option<srtlog_model::Timestamp> {
    if b.len() < 19 || b[2] != b'/' || b[5] != b'/' || b[10] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| parse_u32(&b[r]);
    srtlog_model::Timestamp::from_parts(
        i32::try_from(n(6..10)?).ok()?,
        n(0..2)?,
        n(3..5)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
        0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_end_finds_the_next_comma_space() {
        let s = b"a: 1,2, b: 3, c,";
        assert_eq!(field_end(s, 0), 6, "a comma without a space does not end a field");
        assert_eq!(field_end(s, 7), 12);
        assert_eq!(field_end(s, 13), s.len(), "a final comma ends nothing");
        assert_eq!(field_end(s, s.len()), s.len());
        assert_eq!(field_end(b"", 0), 0);
        assert_eq!(field_end(b", ", 0), 0);
    }

    #[test]
    fn floats_match_std() {
        for s in ["0.45", "1234.56", "0", "12", "-1.5", "1e-05", "0.8999999761581421", "nan", "3.14159"] {
            assert_eq!(
                parse_f64(s.as_bytes()).map(f64::to_bits),
                s.parse::<f64>().ok().map(f64::to_bits),
                "{s}"
            );
        }
        assert_eq!(parse_f64(b""), None);
        // 16 to 19 digits: Python's float `repr` (TensorRT-LLM step times), integers past
        // 2^53 (ties to even), the largest 19-digit values.
        for s in [
            "25.966103483018596",
            "13.085165921127167",
            "0.30000000000000004",
            "9007199254740993",
            "9007199254740995",
            "9999999999999999999",
            "1844674407370955161",
            "0.0000000000000000001",
            "0.1000000000000000055",
            "-0.000000000000000000",
            "123456789.0123456789",
            "4503599627370496.5",
            "4503599627370497.5",
            "99999999999999999999",
            "18446744073709551616.5",
        ] {
            assert_eq!(
                parse_f64(s.as_bytes()).map(f64::to_bits),
                s.parse::<f64>().ok().map(f64::to_bits),
                "{s}"
            );
        }
        assert_eq!(parse_f64(b"."), None);
        assert_eq!(parse_f64(b"1.2.3"), None);
    }

    #[test]
    fn eq_words_is_slice_equality() {
        let base: Vec<u8> = (b'a'..=b'z').collect();
        for n in 0..=base.len() {
            let a = &base[..n];
            assert!(eq_words(a, a), "len {n}");
            assert!(!eq_words(a, &base[..n.saturating_sub(1)]) || n == 0, "len {n} vs shorter");
            for at in 0..n {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!eq_words(a, &b), "len {n}, byte {at} differs");
            }
        }
    }

    #[test]
    fn leading_numbers_stop_where_the_value_ends() {
        assert_eq!(leading_decimal(b"25.966103483018596ms, x"), Some((25.966103483018596, 18)));
        assert_eq!(leading_decimal(b"0.567, "), Some((0.567, 5)));
        assert_eq!(leading_decimal(b"12."), Some((12.0, 3)));
        assert_eq!(leading_decimal(b"1.2.3"), Some((1.2, 3)), "a second dot ends the value");
        assert_eq!(leading_decimal(b".5x"), Some((0.5, 2)));
        assert_eq!(leading_decimal(b"N/A"), None);
        assert_eq!(leading_decimal(b"."), None);
        assert_eq!(leading_decimal(b"12345678901234567890"), None, "a 20th digit is refused");
        assert_eq!(leading_integer(b"123, ", 9), Some((123, 3)));
        assert_eq!(leading_integer(b"123456789", 9), Some((123_456_789, 9)));
        assert_eq!(leading_integer(b"1234567890", 9), None, "more digits than allowed");
        assert_eq!(leading_integer(b"x1", 9), None);
        assert_eq!(leading_integer(b"", 9), None);
    }

    /// The rules written plainly: where the value ends byte by byte (digits with at most one
    /// `.`, at most 19 digits), its value from `str::parse`.
    fn leading_decimal_plain(s: &[u8]) -> Option<(f64, usize)> {
        let (mut n, mut dot, mut i) = (0u32, false, 0);
        while let Some(&c) = s.get(i) {
            if c.is_ascii_digit() {
                if n == 19 {
                    return None;
                }
                n += 1;
            } else if c == b'.' && !dot {
                dot = true;
            } else {
                break;
            }
            i += 1;
        }
        let text = std::str::from_utf8(&s[..i]).expect("digits and a dot");
        (n > 0).then(|| (text.parse::<f64>().expect("digits with one dot parse"), i))
    }

    fn leading_integer_plain(s: &[u8], max: usize) -> Option<(u64, usize)> {
        let i = s.iter().take_while(|c| c.is_ascii_digit()).count();
        (i > 0 && i <= max).then(|| (std::str::from_utf8(&s[..i]).unwrap().parse().unwrap(), i))
    }

    proptest::proptest! {
        /// Every mix of digits, dots and the bytes around the digit range, at every length
        /// (above and below eight, the word size), with bytes that end a value behind it.
        #[test]
        fn leading_numbers_match_the_plain_rules(
            body in proptest::collection::vec(proptest::sample::select(
                b"0123456789..../:\x2f\x3a \x00\x7f\x80\xb9\xba\xc6\xffe,m".to_vec()), 0..30),
            digits in 0usize..24,
            max in 1usize..20,
        ) {
            let mut s: Vec<u8> = (0..digits).map(|i| b'0' + ((i * 7 + 3) % 10) as u8).collect();
            s.extend_from_slice(&body);
            proptest::prop_assert_eq!(
                leading_decimal(&s).map(|(v, n)| (v.to_bits(), n)),
                leading_decimal_plain(&s).map(|(v, n)| (v.to_bits(), n))
            );
            proptest::prop_assert_eq!(leading_integer(&s, max), leading_integer_plain(&s, max));
        }
    }

    #[test]
    fn eight_digits_reads_each_count() {
        for k in 0..=8usize {
            let mut bytes = *b"98765432";
            if k < 8 {
                bytes[k] = b'x';
            }
            let want = if k == 0 { 0 } else { std::str::from_utf8(&bytes[..k]).unwrap().parse().unwrap() };
            assert_eq!(eight_digits(u64::from_le_bytes(bytes)), (want, k as u32));
        }
        assert_eq!(eight_digits(u64::from_le_bytes(*b"00000000")), (0, 8));
        assert_eq!(eight_digits(u64::from_le_bytes(*b"99999999")), (99_999_999, 8));
        assert_eq!(
            eight_digits(u64::from_le_bytes(*b"1/:0\xff\x00.9")),
            (1, 1),
            "the bytes beside '0' and '9'"
        );
    }

    #[test]
    fn long_decimals_round_as_std_does() {
        // A deterministic sweep of 16- to 19-digit decimals at every position of the point
        // (xorshift: no dependency), including values just around halfway points.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..200_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = 16 + (i % 4) as usize;
            let mut text = (x % 10u64.pow(digits as u32 - 1) + 10u64.pow(digits as u32 - 2)).to_string();
            let point = (x >> 40) as usize % (text.len() + 1);
            text.insert(point, '.');
            if text.ends_with('.') {
                text.push('0');
            }
            let want = text.parse::<f64>().map(f64::to_bits).ok();
            assert_eq!(parse_f64(text.as_bytes()).map(f64::to_bits), want, "{text}");
        }
        // Exactly halfway between two doubles, both ways of rounding to even.
        for m in [(1u64 << 53) + 1, (1 << 53) + 3, (1 << 54) + 2, (1 << 54) + 6, u64::MAX / 10] {
            for frac in 0..4 {
                let mut text = m.to_string();
                text.insert(text.len() - frac, '.');
                assert_eq!(
                    parse_f64(text.as_bytes()).map(f64::to_bits),
                    text.parse::<f64>().map(f64::to_bits).ok(),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn strips_ansi() {
        let mut out = Vec::new();
        strip_ansi_into(b"\x1b[2m2025\x1b[0m \x1b[32m INFO\x1b[0m x", &mut out);
        assert_eq!(out, b"2025  INFO x");
    }

    /// The rule written plainly, byte by byte.
    fn strip_ansi_plain(line: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < line.len() {
            if line[i] != 0x1b {
                out.push(line[i]);
                i += 1;
                continue;
            }
            i += 1;
            if line.get(i) == Some(&b'[') {
                i += 1;
                while i < line.len() && !(0x40..=0x7e).contains(&line[i]) {
                    i += 1;
                }
                i += 1;
            }
        }
        out
    }

    #[test]
    fn strips_ansi_as_the_plain_rule_does() {
        let dynamo = b"\x1b[2m2026-01-16T06:00:00.200371Z\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2msglang.srt.managers.scheduler.log_stats\x1b[0m\x1b[2m:\x1b[0m Decode batch. #running-req: 64";
        let mut out = vec![b'z'; 3];
        strip_ansi_into(dynamo, &mut out);
        assert_eq!(out, strip_ansi_plain(dynamo));
        assert_eq!(&out[..28], b"2026-01-16T06:00:00.200371Z ");
        // Generated lines over a small alphabet dense in ESC, `[`, final and parameter bytes,
        // of every length around the 8-byte steps.
        let alphabet = [0x1b, b'[', b'm', b'0', b';', b'a', b' ', 0x7e, 0x3f, 0x40];
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for len in 0..200 {
            for _ in 0..50 {
                let line: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        alphabet[(x % alphabet.len() as u64) as usize]
                    })
                    .collect();
                strip_ansi_into(&line, &mut out);
                assert_eq!(out, strip_ansi_plain(&line), "{line:?}");
            }
        }
    }

    #[test]
    fn us_dates() {
        let ts = parse_us_date(b"01/16/2026-06:20:17").map(|t| t.to_string());
        assert_eq!(ts.as_deref(), Some("2026-01-16T06:20:17"));
    }
}
