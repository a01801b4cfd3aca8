// The page of `salvo view`: polls /api/ and draws the selected batch with ECharts.
//
// After a chart has drawn, its element carries what it drew: data-points (points in
// its series) and data-series (series count), and <body> gets data-state="ready" once
// every chart of a refresh has drawn. Tables carry data-rows. Tests read these.
'use strict';

const POLL_MS = 2000;
const RUNS_SHOWN = 40;
const state = {
  batchId: new URLSearchParams(location.search).get('batch'),
  tag: null,
  charts: new Map(),  // element id -> echarts instance
  shown: '',          // the data last drawn, to skip redrawing the same
  pending: new Set(), // charts not yet drawn since the last refresh
  timer: null,
};

window.addEventListener('error', (e) => { document.body.dataset.error = e.message; });

async function getJson(path) {
  const reply = await fetch(path, {cache: 'no-store'});
  const body = await reply.json();
  if (!reply.ok) throw new Error(body.error || reply.statusText);
  return body;
}

// ---------------------------------------------------------------------------------
// formatting

function fmt(v) {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) {
    return v.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e');
  }
  return String(Number(v.toPrecision(4)));
}

function clock(secs) {
  if (!secs) return '';
  const d = new Date(secs * 1000);
  const today = new Date().toDateString() === d.toDateString();
  const time = d.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false});
  return today ? time : `${d.toISOString().slice(0, 10)} ${time}`;
}

function duration(secs) {
  if (secs === null || secs === undefined) return '';
  if (secs < 60) return `${secs.toFixed(1)} s`;
  const m = Math.floor(secs / 60), s = Math.round(secs % 60);
  if (m < 60) return `${m}m ${s}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : String(c));
  return node;
}

function statusPill(status) { return el('span', {class: `status ${status}`}, status); }

// ---------------------------------------------------------------------------------
// charts

const PALETTE = ['#2c7bb6', '#64a8d0', '#c5e3ef', '#fdd49e', '#f08c5a', '#d7301f'];

// Colors from the best objective value to the worst.
function objectiveColors(maximize) { return maximize ? [...PALETTE].reverse() : PALETTE; }

function chartOf(id) {
  let chart = state.charts.get(id);
  if (!chart) {
    const node = document.getElementById(id);
    chart = echarts.init(node, null, {renderer: 'canvas'});
    chart.on('finished', () => {
      const series = chart.getOption().series || [];
      node.dataset.series = series.length;
      node.dataset.points = series.reduce((n, s) => n + (s.data ? s.data.length : 0), 0);
      state.pending.delete(id);
      if (state.pending.size === 0) document.body.dataset.state = 'ready';
    });
    state.charts.set(id, chart);
  }
  return chart;
}

function draw(id, option) {
  state.pending.add(id);
  const base = {animation: false, textStyle: {fontFamily: 'system-ui, DejaVu Sans, sans-serif'}};
  chartOf(id).setOption({...base, ...option}, {notMerge: true});
}

// A search flag's axis: its choices in order (numbers sorted), or its numeric range.
function axisFor(flag) {
  if (flag.values) {
    const values = [...flag.values];
    if (flag.type === 'number') values.sort((a, b) => a - b);
    return {type: 'category', data: values.map(String)};
  }
  const axis = {type: flag.log ? 'log' : 'value', scale: true};
  if (flag.min !== null && flag.max !== null && flag.min < flag.max) {
    axis.min = flag.min;
    axis.max = flag.max;
  }
  return axis;
}

function flagValue(flag, trial) {
  const v = trial.flags[flag.name];
  return flag.values ? String(v) : v;
}

// The trials that have an objective value, in trial order.
function scored(batch) { return batch.trials.filter((t) => t.objective.value !== null); }

function valueRange(values) {
  let lo = Math.min(...values), hi = Math.max(...values);
  if (!(lo < hi)) { lo -= 1; hi += 1; }
  return [lo, hi];
}

function visualMap(batch, values, show) {
  const [lo, hi] = valueRange(values);
  return {
    type: 'continuous', show, min: lo, max: hi, dimension: show ? undefined : 1,
    inRange: {color: objectiveColors(batch.maximize)},
    right: 14, top: 'middle', itemHeight: 220, calculable: true,
    formatter: (v) => fmt(v),
  };
}

function drawParallel(batch) {
  const trials = scored(batch);
  const axes = batch.flags.map((f, i) => ({dim: i, name: f.name, ...axisFor(f)}));
  const n = batch.flags.length;
  axes.push({dim: n, name: batch.objective, type: 'value', scale: true,
    nameTextStyle: {fontWeight: 'bold', color: '#1d2733'}});
  const values = trials.map((t) => t.objective.value);
  const vm = visualMap(batch, values.length ? values : [0], true);
  vm.dimension = n;
  draw('chart-parallel', {
    parallel: {left: 60, right: 150, top: 40, bottom: 34,
      parallelAxisDefault: {nameLocation: 'start', nameGap: 18,
        nameTextStyle: {fontSize: 13, color: '#38475a'},
        axisLabel: {formatter: (v) => (typeof v === 'number' ? fmt(v) : v)}}},
    parallelAxis: axes,
    visualMap: vm,
    tooltip: {trigger: 'item', formatter: (p) => `${p.name}<br>${batch.objective}: ${fmt(p.value[n])}`},
    series: [{type: 'parallel', lineStyle: {width: 2.5, opacity: 0.75},
      emphasis: {lineStyle: {width: 4, opacity: 1}},
      data: trials.map((t) => ({name: `#${t.trial_index + 1} ${t.short_id}`,
        value: [...batch.flags.map((f) => flagValue(f, t)), t.objective.value]}))}],
  });
}

function drawScatters(batch) {
  const box = document.getElementById('scatters');
  const wanted = batch.flags.map((f) => `chart-scatter-${f.name}`);
  for (const [id, chart] of state.charts) {
    if (id.startsWith('chart-scatter-') && !wanted.includes(id)) {
      chart.dispose();
      state.charts.delete(id);
      document.getElementById(id)?.remove();
    }
  }
  const trials = scored(batch);
  const values = trials.map((t) => t.objective.value);
  for (const flag of batch.flags) {
    const id = `chart-scatter-${flag.name}`;
    if (!document.getElementById(id)) box.append(el('div', {id, class: 'chart', 'data-flag': flag.name}));
    const best = batch.best ? batch.best.id : null;
    draw(id, {
      title: {text: flag.name, left: 'center', top: 4, textStyle: {fontSize: 13}},
      grid: {left: 58, right: 18, top: 34, bottom: 34},
      xAxis: {...axisFor(flag), name: flag.name, nameLocation: 'middle', nameGap: 24,
        axisLabel: {formatter: (v) => (typeof v === 'number' ? fmt(v) : v)}},
      yAxis: {type: 'value', scale: true, name: batch.objective, nameLocation: 'middle',
        nameGap: 44, axisLabel: {formatter: fmt}},
      visualMap: visualMap(batch, values.length ? values : [0], false),
      tooltip: {trigger: 'item', formatter: (p) => `${p.data.name}<br>${flag.name}: ${fmt(p.value[0])}<br>${batch.objective}: ${fmt(p.value[1])}`},
      series: [{type: 'scatter', symbolSize: (v, p) => (p.data.id === best ? 16 : 10),
        itemStyle: {borderColor: '#1d2733', borderWidth: 0.5},
        data: trials.map((t) => ({id: t.id, name: `#${t.trial_index + 1} ${t.short_id}`,
          value: [flagValue(flag, t), t.objective.value]}))}],
    });
  }
}

function drawBest(batch) {
  const points = batch.best_so_far;
  draw('chart-best', {
    grid: {left: 60, right: 20, top: 30, bottom: 40},
    legend: {top: 0, right: 10, data: ['trial', 'best so far']},
    tooltip: {trigger: 'axis', valueFormatter: fmt},
    xAxis: {type: 'value', name: 'trial', nameLocation: 'middle', nameGap: 26,
      minInterval: 1, min: 1, max: Math.max(1, batch.trials.length)},
    yAxis: {type: 'value', scale: true, name: batch.objective, nameLocation: 'middle',
      nameGap: 46, axisLabel: {formatter: fmt}},
    series: [
      {name: 'trial', type: 'scatter', symbolSize: 9, itemStyle: {color: '#7d93ab'},
        data: points.map((p) => [p.trial_index + 1, p.value])},
      {name: 'best so far', type: 'line', step: 'end', symbol: 'none',
        lineStyle: {width: 3, color: '#1f9d55'}, itemStyle: {color: '#1f9d55'},
        data: points.map((p) => [p.trial_index + 1, p.best])},
    ],
  });
}

function drawCurves(batch, scalars) {
  const tags = [...new Set(scalars.trials.flatMap((t) => Object.keys(t.tags)))].sort();
  if (!state.tag || !tags.includes(state.tag)) state.tag = tags.includes(batch.objective) ? batch.objective : tags[0];
  const select = document.getElementById('tag-select');
  const options = tags.join('\n');
  if (select.dataset.options !== options) {
    select.replaceChildren(...tags.map((t) => el('option', {value: t}, t)));
    select.dataset.options = options;
  }
  select.value = state.tag || '';
  const withTag = scalars.trials.filter((t) => t.tags[state.tag]);
  const longest = Math.max(0, ...withTag.map((t) => t.tags[state.tag].steps.length));
  draw('chart-curves', {
    grid: {left: 60, right: 20, top: 20, bottom: 40},
    tooltip: {trigger: 'item', formatter: (p) => `${p.seriesName}<br>step ${p.value[0]}: ${fmt(p.value[1])}`},
    xAxis: {type: 'value', name: 'step', nameLocation: 'middle', nameGap: 26, minInterval: 1, scale: true},
    yAxis: {type: 'value', scale: true, name: state.tag, nameLocation: 'middle', nameGap: 46,
      axisLabel: {formatter: fmt}},
    series: withTag.map((t) => {
      const curve = t.tags[state.tag];
      return {name: `#${t.trial_index + 1} ${t.short_id}`, type: 'line',
        showSymbol: longest <= 20, symbolSize: 7, lineStyle: {width: 2},
        data: curve.steps.map((s, i) => [s, curve.values[i]])};
    }),
  });
}

// ---------------------------------------------------------------------------------
// cards and tables

function card(label, value, sub, cls = '') {
  return el('div', {class: `card ${cls}`}, el('div', {class: 'label'}, label),
    el('div', {class: 'value', title: value}, value), el('div', {class: 'sub', title: sub}, sub));
}

function drawCards(batch) {
  const b = batch.batch, counts = batch.counts;
  const done = (counts.completed || 0) + (counts.error || 0) + (counts.terminated || 0) + (counts.timeout || 0);
  const total = b.max_trials > 0 ? b.max_trials : batch.trials.length;
  const parts = Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ');
  const best = batch.best;
  document.getElementById('cards').replaceChildren(
    card('Batch', b.operation, `${b.short_id} · started ${clock(b.started)}`),
    card('Method', b.optimizer === '+' ? 'grid' : b.optimizer,
      `${batch.maximize ? 'maximize' : 'minimize'} ${batch.objective}`),
    card('Trials', `${done} / ${total}`, parts || 'none yet'),
    card('Status', b.status, b.time !== null ? `for ${duration(b.time)}` : ''),
    card(`Best ${batch.objective}`, best ? fmt(best.objective.value) : '–',
      best ? `#${best.trial_index + 1} ${best.short_id} · ${best.label}` : 'no result yet', 'best'));
}

function table(id, headers, rows, numeric) {
  const node = document.getElementById(id);
  const head = el('tr', {}, ...headers.map((h, i) => el('th', numeric[i] ? {class: 'num'} : {}, h)));
  const body = el('tbody', {'data-rows': rows.length});
  for (const row of rows) {
    body.append(el('tr', row.cls ? {class: row.cls} : {},
      ...row.cells.map((c, i) => el('td', numeric[i] ? {class: 'num'} : {}, c))));
  }
  node.replaceChildren(el('thead', {}, head), body);
  node.dataset.rows = rows.length;
}

function drawTrials(batch) {
  const flags = batch.flags.map((f) => f.name);
  const tags = [...new Set(batch.trials.flatMap((t) => Object.keys(t.scalars)))]
    .filter((t) => t !== batch.objective).sort();
  const headers = ['#', 'run', 'status', ...flags, batch.objective, ...tags, 'started', 'time'];
  const numeric = headers.map((h, i) => i === 0 || (i >= 3 && i < 4 + flags.length + tags.length));
  const best = batch.best ? batch.best.id : null;
  const rows = batch.trials.map((t) => ({
    cls: t.id === best ? 'best' : '',
    cells: [t.trial_index + 1, el('code', {}, t.short_id), statusPill(t.status),
      ...flags.map((f) => fmt(t.flags[f])), fmt(t.objective.value),
      ...tags.map((tag) => fmt(t.scalars[tag])), clock(t.started), duration(t.time)],
  }));
  table('trials-table', headers, rows, numeric);
}

function drawRuns(runs) {
  const shown = runs.slice(0, RUNS_SHOWN);
  const rows = shown.map((r) => ({cells: [r.index, el('code', {}, r.short_id), r.operation,
    clock(r.started), statusPill(r.status), r.label]}));
  table('runs-table', ['#', 'run', 'operation', 'started', 'status', 'label'], rows,
    [true, false, false, false, false, false]);
  const node = document.getElementById('runs-table');
  if (runs.length > shown.length) {
    node.append(el('caption', {class: 'more', style: 'caption-side: bottom'},
      `${runs.length - shown.length} older runs not shown; /api/runs has them all`));
  }
}

// ---------------------------------------------------------------------------------
// refreshing

function drawPicker(batches) {
  const select = document.getElementById('batch-select');
  const options = batches.map((b) => `${b.id} ${b.trials} ${b.status}`).join('\n');
  if (select.dataset.options !== options) {
    select.replaceChildren(...batches.map((b) => el('option', {value: b.id},
      `${b.operation} · ${b.short_id} · ${clock(b.started)} · ${b.trials} trials · ${b.status}`)));
    select.dataset.options = options;
  }
  if (state.batchId) {
    const match = batches.find((b) => b.id.startsWith(state.batchId));
    state.batchId = match ? match.id : null;
  }
  if (!state.batchId && batches.length) state.batchId = batches[0].id;
  select.value = state.batchId || '';
}

function setLive(batch, error) {
  const live = document.getElementById('live');
  const running = batch && batch.batch.status === 'running';
  live.className = `live${running ? ' running' : ''}${error ? ' error' : ''}`;
  const what = error ? `error: ${error}` : running ? 'batch running' : batch ? `batch ${batch.batch.status}` : 'no batch';
  live.replaceChildren(el('span', {class: 'dot'}),
    `${what} · updated ${clock(Date.now() / 1000)}`);
}

async function refresh() {
  try {
    const [runs, batches] = await Promise.all([getJson('/api/runs'), getJson('/api/batches')]);
    drawPicker(batches.batches);
    let batch = null, scalars = null;
    if (state.batchId) {
      [batch, scalars] = await Promise.all([getJson(`/api/batches/${state.batchId}`),
        getJson(`/api/batches/${state.batchId}/scalars`)]);
    }
    const shown = JSON.stringify([runs, batch, scalars, state.tag]);
    if (shown !== state.shown) {
      state.shown = shown;
      render(runs.runs, batch, scalars);
    }
    setLive(batch, null);
  } catch (e) {
    setLive(null, e.message);
  } finally {
    clearTimeout(state.timer);
    state.timer = setTimeout(refresh, POLL_MS);
  }
}

function render(runs, batch, scalars) {
  document.getElementById('empty').hidden = batch !== null;
  document.getElementById('batch-view').hidden = batch === null;
  drawRuns(runs);
  if (batch) {
    document.body.dataset.batch = batch.batch.id;
    drawCards(batch);
    drawTrials(batch);
    drawParallel(batch);
    drawScatters(batch);
    drawBest(batch);
    drawCurves(batch, scalars);
  } else {
    document.body.dataset.state = 'ready';
  }
}

document.getElementById('batch-select').addEventListener('change', (e) => {
  state.batchId = e.target.value;
  history.replaceState(null, '', `?batch=${state.batchId}`);
  state.shown = '';
  document.body.dataset.state = 'loading';
  refresh();
});
document.getElementById('tag-select').addEventListener('change', (e) => {
  state.tag = e.target.value;
  state.shown = '';
  refresh();
});
window.addEventListener('resize', () => { for (const chart of state.charts.values()) chart.resize(); });

refresh();
