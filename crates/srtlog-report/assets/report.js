// srtlog-report: filters and charts. Reads the JSON block #report-data, draws with uPlot.
// Text from the data is only ever assigned with textContent, never as markup.
(function () {
  'use strict';

  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#db2777', '#65a30d',
    '#92400e', '#4b5563', '#0f766e', '#b91c1c', '#1d4ed8', '#a16207', '#6d28d9', '#be123c'];
  const color = (i) => PALETTE[i % PALETTE.length];
  const $ = (id) => document.getElementById(id);

  function fmt(v, digits) {
    if (v == null || !isFinite(v)) return '—';
    const a = Math.abs(v);
    if (a >= 1000) return Math.round(v).toLocaleString('en-US');
    return String(+v.toPrecision(digits || 4));
  }

  function fmtSecs(s) {
    if (s == null || !isFinite(s)) return '—';
    const sign = s < 0 ? '-' : '';
    s = Math.abs(Math.round(s));
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
    const pad = (n) => (n < 10 ? '0' : '') + n;
    return sign + (h > 0 ? h + ':' + pad(m) : m) + ':' + pad(sec);
  }

  function chartWidth(el) {
    return Math.max(300, Math.floor(el.getBoundingClientRect().width || el.clientWidth || 600));
  }

  function message(el, text) {
    el.textContent = '';
    const p = document.createElement('p');
    p.className = 'nodata';
    p.textContent = text;
    el.appendChild(p);
  }

  // A tooltip showing the data point nearest to the cursor (for scatter and per-run charts).
  function nearestTooltip(describe) {
    let tip;
    return {
      hooks: {
        init: (u) => {
          tip = document.createElement('div');
          tip.className = 'u-tooltip';
          tip.style.display = 'none';
          u.over.appendChild(tip);
          u.over.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
        },
        setCursor: (u) => {
          const { left, top } = u.cursor;
          if (left == null || left < 0) { tip.style.display = 'none'; return; }
          let best = null, bestD = 24 * 24;
          for (let s = 1; s < u.series.length; s++) {
            if (!u.series[s].show) continue;
            const ys = u.data[s];
            for (let i = 0; i < ys.length; i++) {
              if (ys[i] == null) continue;
              const dx = u.valToPos(u.data[0][i], 'x') - left;
              const dy = u.valToPos(ys[i], u.series[s].scale || 'y') - top;
              const d = dx * dx + dy * dy;
              if (d < bestD) { bestD = d; best = [s, i]; }
            }
          }
          if (!best) { tip.style.display = 'none'; return; }
          const lines = describe(u, best[0], best[1]);
          tip.textContent = '';
          lines.forEach((line, k) => {
            const div = document.createElement('div');
            div.textContent = line;
            if (k === 0) div.className = 'tt-head';
            tip.appendChild(div);
          });
          tip.style.display = 'block';
          const x = u.valToPos(u.data[0][best[1]], 'x'), y = u.valToPos(u.data[best[0]][best[1]], u.series[best[0]].scale || 'y');
          const w = u.over.clientWidth;
          tip.style.left = (x + 12 + 220 > w ? x - 12 - tip.offsetWidth : x + 12) + 'px';
          tip.style.top = Math.max(0, y - 10) + 'px';
        },
      },
    };
  }

  // View state in the URL fragment (#filter-gpu=h100&timeline-series=overlay:decode), so a
  // view can be bookmarked and shared; file: URLs that refuse replaceState just do not remember.
  function hashParams() {
    try { return new URLSearchParams(location.hash.slice(1)); } catch (e) { return new URLSearchParams(); }
  }
  function setHashParams(entries) {
    const q = hashParams();
    entries.forEach(([k, v]) => { if (v) q.set(k, v); else q.delete(k); });
    try { history.replaceState(null, '', q.toString() ? '#' + q.toString() : location.pathname + location.search); } catch (e) { /* ignore */ }
  }

  const charts = {};
  function place(id, opts, data) {
    const el = $(id);
    if (charts[id]) { charts[id].destroy(); delete charts[id]; }
    el.textContent = '';
    if (!data[0] || data[0].length === 0) { message(el, 'No data for the runs shown.'); return null; }
    opts.width = chartWidth(el);
    opts.height = opts.height || 300;
    const plot = new uPlot(opts, data, el);
    charts[id] = plot;
    return plot;
  }

  window.addEventListener('resize', () => {
    clearTimeout(window.__srtlogResize);
    window.__srtlogResize = setTimeout(() => {
      Object.keys(charts).forEach((id) => {
        const el = $(id);
        charts[id].setSize({ width: chartWidth(el), height: charts[id].height });
      });
    }, 150);
  });

  const noLine = () => null;

  function axis(label, extra) {
    return Object.assign({ label: label, size: 64, labelSize: 18, stroke: '#374151', grid: { stroke: '#e5e7eb' }, ticks: { stroke: '#d1d5db' } }, extra || {});
  }
  const xAxis = (label, extra) => axis(label, Object.assign({ size: 34 }, extra || {}));
  // Tick steps for a seconds axis: whole seconds, minutes, hours.
  const TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

  // Lists the runs drawn in a group of charts (the charts themselves have no legend).
  function runLegend(id, DATA, runIdx) {
    const el = $(id);
    if (!el) return;
    el.textContent = '';
    runIdx.forEach((ri) => {
      const item = document.createElement('span');
      item.className = 'item';
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = color(ri);
      item.appendChild(sw);
      item.appendChild(document.createTextNode(DATA.runs[ri].label));
      el.appendChild(item);
    });
  }

  // Marks a chart whose plotted columns hold no value at all.
  function noteIfEmpty(plot, columns, text) {
    if (!plot || columns.some((c) => c.some((v) => v != null))) return;
    const note = document.createElement('div');
    note.className = 'u-empty';
    note.textContent = text;
    plot.over.appendChild(note);
  }

  // ---- Pareto ---------------------------------------------------------------------------

  // Same rule as derived::pareto_frontier in Rust: sort by x desc (ties y desc), keep each
  // point whose y beats every y seen so far; return by x ascending.
  function frontier(points) {
    const pts = points.filter((p) => isFinite(p.x) && isFinite(p.y)).slice();
    pts.sort((a, b) => (b.x - a.x) || (b.y - a.y));
    const out = [];
    let best = -Infinity;
    for (const p of pts) if (p.y > best) { best = p.y; out.push(p); }
    return out.reverse();
  }

  // Points per run against output tokens/s per user with their Pareto frontier (the frontier
  // of the shown runs, or `c.frontier` when all are shown): the throughput Pareto and the
  // energy Pareto. Returns the plot (null when there is nothing to draw).
  function paretoChart(DATA, shown, c) {
    const points = c.points.filter((p) => shown[p.run]);
    const front = shown.every((v) => v) ? c.frontier : frontier(points);
    const xs = Array.from(new Set(points.map((p) => p.x))).sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const runIdx = [];
    DATA.runs.forEach((r, i) => { if (shown[i] && points.some((p) => p.run === i)) runIdx.push(i); });
    const data = [xs];
    const meta = [null];
    const series = [{ label: 'TPS/user' }];
    for (const ri of runIdx) {
      const ys = new Array(xs.length).fill(null);
      const conc = new Array(xs.length).fill(null);
      for (const p of points) if (p.run === ri) { ys[at.get(p.x)] = p.y; conc[at.get(p.x)] = p.concurrency; }
      data.push(ys); meta.push({ run: ri, conc: conc });
      series.push({ label: DATA.runs[ri].label, stroke: color(ri), fill: color(ri), paths: noLine, points: { show: true, size: 9, width: 1.5, fill: color(ri) } });
    }
    const fy = new Array(xs.length).fill(null);
    const fconc = new Array(xs.length).fill(null);
    const frun = new Array(xs.length).fill(null);
    for (const p of front) { fy[at.get(p.x)] = p.y; fconc[at.get(p.x)] = p.concurrency; frun[at.get(p.x)] = p.run; }
    data.push(fy); meta.push({ run: null, conc: fconc, runs: frun });
    runLegend(c.legend, DATA, runIdx);
    series.push({ label: 'Pareto frontier', stroke: '#111827', width: 2, dash: [6, 4], spanGaps: true, points: { show: false } });
    return place(c.chart, {
      title: c.title,
      height: c.height,
      scales: {
        x: { time: false, range: (u, lo, hi) => [0, (hi || 1) * 1.05] },
        y: { range: (u, lo, hi) => [0, (hi || 1) * 1.08] },
      },
      axes: [xAxis('output tokens/s per user (1000 / mean TPOT ms)'), axis(c.yAxis)],
      series: series,
      legend: { show: false },
      cursor: { points: { show: false }, drag: { x: true, y: true } },
      plugins: [nearestTooltip((u, s, i) => {
        const m = meta[s];
        const run = m.run != null ? m.run : (m.runs ? m.runs[i] : null);
        const head = run != null ? DATA.runs[run].label : u.series[s].label;
        return [head + (m.run == null ? ' (frontier)' : ''), 'concurrency ' + fmt(m.conc[i]), 'TPS/user ' + fmt(u.data[0][i]), c.yTip + ' ' + fmt(u.data[s][i], c.digits)];
      })],
    }, data);
  }

  function drawPareto(DATA, shown) {
    paretoChart(DATA, shown, {
      points: DATA.pareto.points, frontier: DATA.pareto.frontier, chart: 'chart-pareto', legend: 'legend-pareto',
      title: 'Output TPS/GPU vs output TPS/user', height: 380, yAxis: 'output tokens/s per GPU', yTip: 'TPS/GPU',
    });
  }

  // ---- Latency vs concurrency -------------------------------------------------------------

  function drawLatency(DATA, shown, key, id, title) {
    const runIdx = [];
    DATA.runs.forEach((r, i) => { if (shown[i] && r.points.some((p) => p.concurrency != null && p[key] != null)) runIdx.push(i); });
    const xs = Array.from(new Set([].concat(...runIdx.map((i) => DATA.runs[i].points.filter((p) => p.concurrency != null && p.concurrency > 0).map((p) => p.concurrency))))).sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const data = [xs];
    const series = [{ label: 'concurrency' }];
    for (const ri of runIdx) {
      const ys = new Array(xs.length).fill(null);
      for (const p of DATA.runs[ri].points) if (p.concurrency != null && at.has(p.concurrency) && p[key] != null) ys[at.get(p.concurrency)] = p[key];
      data.push(ys);
      series.push({ label: DATA.runs[ri].label, stroke: color(ri), width: 2, spanGaps: true, points: { show: true, size: 6, fill: color(ri) } });
    }
    return place(id, {
      title: title,
      height: 230,
      scales: { x: { time: false, distr: 3, log: 2 } },
      axes: [xAxis('concurrency', { values: (u, vals) => vals.map((v) => (v == null ? '' : String(v))) }), axis('ms', { size: 56 })],
      series: series,
      legend: { show: false },
      cursor: { points: { show: false } },
      plugins: [nearestTooltip((u, s, i) => [u.series[s].label, 'concurrency ' + u.data[0][i], title + ': ' + fmt(u.data[s][i]) + ' ms'])],
    }, data);
  }

  // ---- Timelines ------------------------------------------------------------------------

  const timeAxis = () => xAxis('time since first batch (m:ss)', { incrs: TIME_INCRS, values: (u, vals) => vals.map(fmtSecs) });
  const SYNC = { key: 'srtlog-timeline' };

  function timelineOpts(title, yLabel, series, yFmt) {
    return {
      title: title,
      height: 240,
      scales: { x: { time: false } },
      axes: [timeAxis(), axis(yLabel, yFmt ? { values: (u, vals) => vals.map(yFmt) } : {})],
      series: [{ label: 'time', value: (u, v) => fmtSecs(v) }].concat(series),
      cursor: { sync: SYNC },
      legend: { live: true },
    };
  }

  const line = (label, stroke, extra) => Object.assign({ label: label, stroke: stroke, width: 1.5, points: { show: false }, value: (u, v) => fmt(v) }, extra || {});

  // Removes a chart and writes a message in its place.
  function clearChart(id, text) {
    if (charts[id]) { charts[id].destroy(); delete charts[id]; }
    message($(id), text);
  }

  // The run's rate match exactly as the JSON has it (derived.rate_match); each bucket is drawn
  // as a step over its width, on the timelines' time axis (shifted by rate_match_shift_s).
  function drawRateMatch(DATA, tl) {
    const rm = tl.rate_match;
    if (!rm || !rm.offsets_s.length) {
      clearChart('chart-rate-match', DATA.runs[tl.run].mode === 'aggregated'
        ? 'No rate match: an aggregated worker does prefill and decode in one process.'
        : 'No rate match: it needs timestamped batches of both prefill and decode workers.');
      return;
    }
    const shift = tl.rate_match_shift_s || 0, n = rm.offsets_s.length;
    // One closing point ends the last bucket's step.
    const t = rm.offsets_s.map((o) => shift + o).concat([shift + rm.offsets_s[n - 1] + rm.bucket_secs]);
    const close = (col) => col.concat([col[n - 1]]);
    const step = { paths: uPlot.paths.stepped({ align: 1 }) };
    const ratio = rm.ratio == null ? '' : '; prefill / decode = ' + fmt(rm.ratio, 3);
    const plot = place('chart-rate-match', timelineOpts(
      'Prefill input vs decode output (tokens/s, buckets of ' + fmt(rm.bucket_secs) + ' s' + ratio + ')', 'tokens/s',
      [line('prefill input: Σ new_token / s', '#2563eb', step), line('decode: Σ streams\' gen_throughput', '#dc2626', step)]),
    [t, close(rm.prefill_input_tps), close(rm.decode_gen_tps)]);
    noteIfEmpty(plot, [rm.prefill_input_tps, rm.decode_gen_tps], 'No prefill or decode throughput in these workers\' logs.');
  }

  // Per-worker summaries, exactly as the JSON has them (derived.workers).
  function drawWorkers(run) {
    const el = $('worker-summary');
    el.textContent = '';
    if (!run.workers.length) { message(el, 'No worker metrics for this run.'); return; }
    const table = document.createElement('table');
    table.id = 'worker-table';
    const row = (cells, tag, numeric) => {
      const tr = document.createElement('tr');
      cells.forEach((text, k) => {
        const td = document.createElement(tag);
        td.textContent = text;
        if (numeric[k]) td.className = 'num';
        tr.appendChild(td);
      });
      return tr;
    };
    const numeric = [false, false, false, true, true, true];
    const head = document.createElement('thead');
    head.appendChild(row(['Role', 'Worker', 'Node', 'Peak gen tokens/s', 'Median gen tokens/s', 'Prefix-cache hit rate'], 'th', numeric));
    table.appendChild(head);
    const body = document.createElement('tbody');
    run.workers.forEach((w) => body.appendChild(row([w.worker_type, w.worker_id, w.node_name, fmt(w.peak_gen_throughput),
      fmt(w.median_gen_throughput), w.cache_hit_rate == null ? '—' : (w.cache_hit_rate * 100).toFixed(1) + '%'], 'td', numeric)));
    table.appendChild(body);
    el.appendChild(table);
  }

  function drawSeries(s) {
    const note = s.kind === 'rank' ? ' (one DP rank)' : s.kind === 'type' ? ' (all ' + s.role + ' workers)' : '';
    const none = (what) => 'These workers log no ' + what + '.';
    noteIfEmpty(place('chart-gen', timelineOpts('Generation throughput' + note, 'tokens/s', [line('gen_throughput', '#dc2626')]), [s.t, s.gen_tps]), [s.gen_tps], none('gen_throughput (decode batches)'));
    noteIfEmpty(place('chart-input', timelineOpts('Input throughput' + note, 'tokens/s', [line('input_throughput', '#2563eb')]), [s.t, s.input_tps]), [s.input_tps], none('input_throughput (prefill batches)'));
    noteIfEmpty(place('chart-requests', timelineOpts('Requests' + note, 'requests', [line('running', '#16a34a'), line('queued', '#ea580c')]), [s.t, s.running, s.queued]), [s.running, s.queued], none('request counts'));
    const pct = s.kv_usage.map((v) => (v == null ? null : v * 100));
    noteIfEmpty(place('chart-kv', timelineOpts('KV-cache usage' + note, '% of KV cache', [line('token_usage', '#7c3aed', { value: (u, v) => (v == null ? '—' : v.toFixed(1) + '%') })]), [s.t, pct]), [pct], none('token usage'));
  }

  // One line per worker of a role, to compare workers (imbalance, stragglers).
  function drawOverlay(tl, role) {
    const ws = tl.series.filter((x) => x.kind === 'worker' && x.role === role);
    const join = (key, scale) => uPlot.join(ws.map((x) => [x.t, scale ? x[key].map((v) => (v == null ? null : v * scale)) : x[key]]), ws.map(() => [1]));
    const lines = (extra) => ws.map((x, i) => line(x.label.split(':')[0], color(i), extra));
    const note = ' (each ' + role + ' worker)';
    const cols = (key) => ws.map((x) => x[key]);
    const none = (what) => 'These workers log no ' + what + '.';
    noteIfEmpty(place('chart-gen', timelineOpts('Generation throughput' + note, 'tokens/s', lines()), join('gen_tps')), cols('gen_tps'), none('gen_throughput (decode batches)'));
    noteIfEmpty(place('chart-input', timelineOpts('Input throughput' + note, 'tokens/s', lines()), join('input_tps')), cols('input_tps'), none('input_throughput (prefill batches)'));
    noteIfEmpty(place('chart-requests', timelineOpts('Running requests' + note, 'requests', lines()), join('running')), cols('running'), none('request counts'));
    noteIfEmpty(place('chart-kv', timelineOpts('KV-cache usage' + note, '% of KV cache', lines({ value: (u, v) => (v == null ? '—' : v.toFixed(1) + '%') })), join('kv_usage', 100)), cols('kv_usage'), none('token usage'));
  }

  function drawChoice(tl, value) {
    if (value.indexOf('overlay:') === 0) drawOverlay(tl, value.slice(8));
    else drawSeries(tl.series[+value]);
  }

  function setupTimelines(DATA) {
    const runSel = $('timeline-run'), serSel = $('timeline-series'), note = $('timeline-note');
    if (!DATA.timelines.length) {
      runSel.disabled = true; serSel.disabled = true;
      note.textContent = 'No worker metrics in this document (load the runs with node metrics to see timelines).';
      ['chart-rate-match', 'chart-gen', 'chart-input', 'chart-requests', 'chart-kv', 'worker-summary'].forEach((id) => message($(id), 'No worker metrics.'));
      return;
    }
    DATA.timelines.forEach((tl, i) => {
      const o = document.createElement('option');
      o.value = String(i);
      o.textContent = DATA.runs[tl.run].label + (DATA.runs[tl.run].job_name ? ' — ' + DATA.runs[tl.run].job_name : '');
      runSel.appendChild(o);
    });
    const groups = { type: 'All workers of a role', worker: 'Workers', rank: 'DP ranks' };
    function showRun() {
      const tl = DATA.timelines[+runSel.value];
      note.textContent = 'started ' + (tl.start || '?') + ' · ' + tl.streams + ' log streams' +
        (tl.untimed_batches ? ' · ' + tl.untimed_batches + ' batches without timestamp left out' : '') +
        ' · at most ' + DATA.buckets_per_series + ' min/max buckets per series';
      drawRateMatch(DATA, tl);
      drawWorkers(DATA.runs[tl.run]);
      serSel.textContent = '';
      const made = {};
      tl.series.forEach((s, i) => {
        if (!made[s.kind]) { made[s.kind] = document.createElement('optgroup'); made[s.kind].label = groups[s.kind] || s.kind; }
        const o = document.createElement('option');
        o.value = String(i);
        o.textContent = s.label;
        made[s.kind].appendChild(o);
      });
      ['type', 'worker', 'rank'].forEach((k) => { if (made[k]) serSel.appendChild(made[k]); });
      const roles = Array.from(new Set(tl.series.filter((x) => x.kind === 'worker').map((x) => x.role)))
        .filter((r) => tl.series.filter((x) => x.kind === 'worker' && x.role === r).length > 1);
      if (roles.length) {
        const g = document.createElement('optgroup');
        g.label = 'Compare workers';
        roles.forEach((r) => {
          const o = document.createElement('option');
          o.value = 'overlay:' + r;
          o.textContent = 'Each ' + r + ' worker (one line per worker)';
          g.appendChild(o);
        });
        serSel.appendChild(g);
      }
      let pick = String(Math.max(0, tl.series.findIndex((s) => s.kind === 'type' && s.role === 'decode')));
      const wanted = hashParams().get('timeline-series');
      if (wanted && Array.from(serSel.options).some((o) => o.value === wanted)) pick = wanted;
      serSel.value = pick;
      drawChoice(tl, pick);
    }
    const wantedRun = hashParams().get('timeline-run');
    if (wantedRun && Array.from(runSel.options).some((o) => o.value === wantedRun)) runSel.value = wantedRun;
    runSel.addEventListener('change', () => { setHashParams([['timeline-run', runSel.value], ['timeline-series', '']]); showRun(); });
    serSel.addEventListener('change', () => {
      setHashParams([['timeline-run', runSel.value], ['timeline-series', serSel.value]]);
      drawChoice(DATA.timelines[+runSel.value], serSel.value);
    });
    showRun();
  }

  // ---- Server metrics (Tachometer) -------------------------------------------------------

  // One line per backend worker of the chosen run, on the server series' own time axis.
  function drawServer(sr) {
    const ws = sr.workers;
    const join = (key, scale) => uPlot.join(ws.map((x) => [x.t, scale ? x[key].map((v) => (v == null ? null : v * scale)) : x[key]]), ws.map(() => [1]));
    const lines = (extra) => ws.map((x, i) => line(x.label, color(i), extra));
    const cols = (key) => ws.map((x) => x[key]);
    const axisLabel = sr.time_base === 'unix' ? 'time since first scrape (m:ss)' : 'time since scraper start (m:ss)';
    const opts = (title, yLabel, extra) => {
      const o = timelineOpts(title, yLabel, lines(extra));
      o.axes[0] = xAxis(axisLabel, { incrs: TIME_INCRS, values: (u, vals) => vals.map(fmtSecs) });
      o.cursor = { sync: { key: 'srtlog-server' } };
      return o;
    };
    const none = (what) => 'The workers\' endpoints report no ' + what + '.';
    const pct = { value: (u, v) => (v == null ? '—' : v.toFixed(1) + '%') };
    noteIfEmpty(place('chart-server-running', opts('Running requests (server)', 'requests'), join('running')), cols('running'), none('running requests'));
    noteIfEmpty(place('chart-server-queued', opts('Queued requests (server)', 'requests'), join('queued')), cols('queued'), none('queued requests'));
    noteIfEmpty(place('chart-server-kv', opts('KV-cache usage (server)', '% of KV cache', pct), join('kv_usage', 100)), cols('kv_usage'), none('KV-cache usage'));
    noteIfEmpty(place('chart-server-gen', opts('Generation throughput (server)', 'tokens/s'), join('gen_tps')), cols('gen_tps'), none('generation throughput'));
  }

  function setupServerSeries(DATA) {
    const runSel = $('server-run'), note = $('server-note');
    const ids = ['chart-server-running', 'chart-server-queued', 'chart-server-kv', 'chart-server-gen'];
    if (!DATA.server_series.length) {
      runSel.disabled = true;
      note.textContent = 'No Tachometer series in this document (srtlog report reads logs/tachometer/ when a run has it).';
      ids.forEach((id) => message($(id), 'No server metrics.'));
      return;
    }
    DATA.server_series.forEach((sr, i) => {
      const o = document.createElement('option');
      o.value = String(i);
      o.textContent = DATA.runs[sr.run].label + (DATA.runs[sr.run].job_name ? ' — ' + DATA.runs[sr.run].job_name : '');
      runSel.appendChild(o);
    });
    function show() {
      const sr = DATA.server_series[+runSel.value];
      note.textContent = (sr.start ? 'first scrape ' + sr.start : 'no wall time in these files (v1 writer)') + ' · ' + sr.workers.length + ' workers';
      drawServer(sr);
    }
    const wanted = hashParams().get('server-run');
    if (wanted && Array.from(runSel.options).some((o) => o.value === wanted)) runSel.value = wanted;
    runSel.addEventListener('change', () => { setHashParams([['server-run', runSel.value]]); show(); });
    show();
  }

  // ---- Filters --------------------------------------------------------------------------

  function setupFilters(DATA, redraw) {
    const get = (id) => $(id).value;
    const fields = [['filter-gpu', (r) => [r.gpu_type]], ['filter-topology', (r) => [r.topology]], ['filter-islosl', (r) => [r.isl_osl]],
      ['filter-backend', (r) => [r.backend]], ['filter-tag', (r) => r.tags]];
    const rows = Array.from(document.querySelectorAll('#run-table tbody tr[data-run]'));
    function apply() {
      const text = get('filter-text').trim().toLowerCase();
      const shown = DATA.runs.map((r) => fields.every(([id, f]) => !get(id) || f(r).indexOf(get(id)) >= 0) &&
        (!text || [r.job_id, r.job_name, r.model, r.label].concat(r.tags).some((v) => v && String(v).toLowerCase().indexOf(text) >= 0)));
      rows.forEach((tr) => { tr.hidden = !shown[+tr.dataset.run]; });
      $('filter-count').textContent = shown.filter((v) => v).length + ' of ' + DATA.runs.length + ' runs shown';
      redraw(shown);
    }
    // Filters can be preset and shared in the URL: report.html#filter-gpu=h100&filter-text=sweep
    hashParams().forEach((v, k) => {
      const el = $(k);
      if (el && (el.hasAttribute('data-filter') || k === 'filter-text')) el.value = v;
    });
    const remember = () => setHashParams(Array.from(document.querySelectorAll('[data-filter], #filter-text')).map((el) => [el.id, el.value]));
    document.querySelectorAll('[data-filter]').forEach((el) => el.addEventListener('change', () => { remember(); apply(); }));
    $('filter-text').addEventListener('input', () => { remember(); apply(); });
    $('filter-reset').addEventListener('click', () => {
      document.querySelectorAll('[data-filter]').forEach((el) => { el.value = ''; });
      $('filter-text').value = '';
      remember();
      apply();
    });
    apply();
  }

  // ---- Baseline vs candidate (srtlog-diff's numbers, drawn as given) ----------------------

  const SIDE_COLOR = { baseline: '#2563eb', candidate: '#ea580c' };

  // Both sides' frontiers overlaid, one pair of lines per ISL/OSL.
  function drawAbPareto(AB) {
    const lines = [];
    AB.frontiers.forEach((f) => {
      const g = (f.isl == null ? '?' : f.isl) + '/' + (f.osl == null ? '?' : f.osl);
      lines.push({ label: 'baseline ' + g, side: 'baseline', pts: f.baseline });
      lines.push({ label: 'candidate ' + g, side: 'candidate', pts: f.candidate });
    });
    const xs = Array.from(new Set([].concat(...lines.map((l) => l.pts.map((p) => p[0]))))).sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const data = [xs];
    const series = [{ label: 'TPS/user' }];
    lines.forEach((l, i) => {
      const ys = new Array(xs.length).fill(null);
      l.pts.forEach((p) => { ys[at.get(p[0])] = p[1]; });
      data.push(ys);
      series.push({ label: l.label, stroke: SIDE_COLOR[l.side], width: 2, dash: i >= 2 ? [6, 4] : undefined, spanGaps: true, points: { show: true, size: 8, fill: SIDE_COLOR[l.side] } });
    });
    place('chart-ab-pareto', {
      title: 'Pareto frontiers: baseline vs candidate',
      height: 360,
      scales: { x: { time: false, range: (u, lo, hi) => [0, (hi || 1) * 1.05] }, y: { range: (u, lo, hi) => [0, (hi || 1) * 1.08] } },
      axes: [xAxis('output tokens/s per user'), axis('output tokens/s per GPU')],
      series: series,
      cursor: { points: { show: false } },
      plugins: [nearestTooltip((u, s, i) => [u.series[s].label, 'TPS/user ' + fmt(u.data[0][i]), 'TPS/GPU ' + fmt(u.data[s][i])])],
    }, data);
  }

  // One latency metric against concurrency: a line per side and ISL/OSL.
  function drawAbLatency(AB, key, id, title) {
    const k = AB.latency_metrics.indexOf(key);
    const pts = AB.latency.filter((p) => p.concurrency > 0 && p.values[k] != null);
    const groups = Array.from(new Set(pts.map((p) => p.side + ' ' + p.isl + '/' + p.osl))).sort();
    const xs = Array.from(new Set(pts.map((p) => p.concurrency))).sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const data = [xs];
    const series = [{ label: 'concurrency' }];
    groups.forEach((g) => {
      const ys = new Array(xs.length).fill(null);
      pts.filter((p) => p.side + ' ' + p.isl + '/' + p.osl === g).forEach((p) => { ys[at.get(p.concurrency)] = p.values[k]; });
      const side = g.split(' ')[0];
      data.push(ys);
      series.push({ label: g, stroke: SIDE_COLOR[side], width: 2, spanGaps: true, points: { show: true, size: 6, fill: SIDE_COLOR[side] } });
    });
    place(id, {
      title: title,
      height: 230,
      scales: { x: { time: false, distr: 3, log: 2 } },
      axes: [xAxis('concurrency', { values: (u, vals) => vals.map((v) => (v == null ? '' : String(v))) }), axis('ms', { size: 56 })],
      series: series,
      cursor: { points: { show: false } },
      plugins: [nearestTooltip((u, s, i) => [u.series[s].label, 'concurrency ' + u.data[0][i], title + ': ' + fmt(u.data[s][i]) + ' ms'])],
    }, data);
  }

  function drawAb(AB) {
    drawAbPareto(AB);
    [['mean_ttft_ms', 'chart-ab-ttft-mean', 'TTFT mean'], ['p99_ttft_ms', 'chart-ab-ttft-p99', 'TTFT p99'],
      ['mean_tpot_ms', 'chart-ab-tpot-mean', 'TPOT mean'], ['p99_tpot_ms', 'chart-ab-tpot-p99', 'TPOT p99'],
      ['mean_itl_ms', 'chart-ab-itl-mean', 'ITL mean'], ['p99_itl_ms', 'chart-ab-itl-p99', 'ITL p99']]
      .forEach(([key, id, title]) => drawAbLatency(AB, key, id, title));
  }

  // ---- Energy (energy.rs) -------------------------------------------------------------------

  // Output tokens/s per GPU watt against tokens/s per user: derived.energy[i].output_tps_per_w.
  function drawEnergyPareto(DATA, shown) {
    const E = DATA.energy;
    const plot = paretoChart(DATA, shown, {
      points: E.pareto_points, frontier: E.pareto_frontier, chart: 'chart-energy-pareto', legend: 'legend-energy-pareto',
      title: 'Output TPS per GPU watt vs output TPS/user', height: 340, yAxis: 'output tokens/s per GPU watt', yTip: 'TPS/W', digits: 4,
    });
    if (!plot && !E.pareto_points.length) message($('chart-energy-pareto'), 'No run has power data (power/samples.csv, Tachometer DCGM power or aiperf GPU telemetry).');
  }

  const ROLE_COLORS = { prefill: '#2563eb', decode: '#dc2626', agg: '#059669' };

  // One run's GPU power per role over time, with each point's measurement window shaded.
  function drawPower(DATA, p) {
    const bands = p.windows;
    const shade = (u) => {
      const ctx = u.ctx;
      ctx.save();
      bands.forEach((b, k) => {
        const x0 = u.valToPos(b.start_s, 'x', true), x1 = u.valToPos(b.end_s, 'x', true);
        ctx.fillStyle = k % 2 ? 'rgba(250, 204, 21, 0.18)' : 'rgba(96, 165, 250, 0.18)';
        ctx.fillRect(Math.min(x0, x1), u.bbox.top, Math.abs(x1 - x0), u.bbox.height);
      });
      ctx.restore();
    };
    const series = p.roles.map((r, k) => line(r.role + ' (' + r.gpus + ' GPUs)', ROLE_COLORS[r.role] || color(k)));
    const opts = timelineOpts('GPU power per role (W; ' + p.source + '; windows shaded: ' + bands.map((b) => 'c' + fmt(b.concurrency)).join(', ') + ')', 'W', series);
    opts.axes[0] = xAxis('time since the first power sample (m:ss)', { incrs: TIME_INCRS, values: (u, vals) => vals.map(fmtSecs) });
    opts.hooks = { drawAxes: [shade] };
    opts.cursor = {};
    place('chart-power', opts, [p.t].concat(p.roles.map((r) => r.watts)));
  }

  function setupPower(DATA) {
    const sel = $('power-run');
    const list = DATA.energy.power;
    if (!list.length) {
      clearChart('chart-power', 'No run has power samples in this report (a document read back from --json has none).');
      return;
    }
    list.forEach((p, k) => {
      const o = document.createElement('option');
      o.value = String(k);
      o.textContent = DATA.runs[p.run].label;
      sel.appendChild(o);
    });
    const show = () => { const p = list[+sel.value || 0]; $('power-note').textContent = p.windows.length + ' measurement windows'; drawPower(DATA, p); };
    sel.addEventListener('change', show);
    show();
  }

  function main() {
    const DATA = JSON.parse($('report-data').textContent);
    document.querySelectorAll('[data-swatch]').forEach((el) => { el.style.background = color(+el.dataset.swatch); });
    // Self-check: the frontier recomputed here must equal the one computed in Rust.
    const js = frontier(DATA.pareto.points), rs = DATA.pareto.frontier;
    if (js.length !== rs.length || js.some((p, i) => p.x !== rs[i].x || p.y !== rs[i].y)) {
      console.error('Pareto frontier mismatch between Rust (' + rs.length + ' points) and JavaScript (' + js.length + ' points)');
    }
    const je = frontier(DATA.energy.pareto_points), re = DATA.energy.pareto_frontier;
    if (je.length !== re.length || je.some((p, i) => p.x !== re[i].x || p.y !== re[i].y)) {
      console.error('energy Pareto frontier mismatch between Rust (' + re.length + ' points) and JavaScript (' + je.length + ' points)');
    }
    setupFilters(DATA, (shown) => {
      drawPareto(DATA, shown);
      drawLatency(DATA, shown, 'mean_ttft_ms', 'chart-ttft-mean', 'TTFT mean');
      drawLatency(DATA, shown, 'p99_ttft_ms', 'chart-ttft-p99', 'TTFT p99');
      drawLatency(DATA, shown, 'mean_tpot_ms', 'chart-tpot-mean', 'TPOT mean');
      drawLatency(DATA, shown, 'p99_tpot_ms', 'chart-tpot-p99', 'TPOT p99');
      drawLatency(DATA, shown, 'mean_itl_ms', 'chart-itl-mean', 'ITL mean');
      drawLatency(DATA, shown, 'p99_itl_ms', 'chart-itl-p99', 'ITL p99');
      runLegend('legend-latency', DATA, DATA.runs.map((r, i) => i).filter((i) => shown[i] && DATA.runs[i].points.some((p) => p.concurrency != null)));
      drawEnergyPareto(DATA, shown);
    });
    setupTimelines(DATA);
    setupPower(DATA);
    setupServerSeries(DATA);
    if (DATA.ab) drawAb(DATA.ab);
    document.body.setAttribute('data-report-ready', 'true');
  }

  try {
    main();
  } catch (e) {
    console.error('report script failed: ' + (e && e.stack ? e.stack : e));
  }
})();
