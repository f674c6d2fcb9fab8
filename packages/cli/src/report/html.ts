/**
 * `--report file.html`: one self-contained page (no network) with the timeline: requests per 100 ms
 * by outcome, the latency band, and a swim lane per replica (serving, terminating, preStop, SIGTERM,
 * exit, per-node endpoint removal), with details on hover.
 */

import { createStyle } from '../output/style.js';
import { ERROR_CLASS_LABELS, ERROR_CLASSES } from '../recording/records.js';
import type { Report } from './build.js';
import { renderReportText } from './text.js';
import { timelineBuckets } from './timeline.js';

export const BUCKET_MS = 100;

export function renderReportHtml(report: Report): string {
  const data = {
    verdict: report.verdict,
    durationMs: report.durationMs,
    buckets: timelineBuckets(report.records, BUCKET_MS),
    bucketMs: BUCKET_MS,
    classes: ERROR_CLASSES.map((c) => ({ id: c, label: ERROR_CLASS_LABELS[c] })),
    replicas: report.replicas,
    events: report.events.filter((e) => e.type !== 'load-start' && e.type !== 'load-end'),
  };
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const summary = escapeHtml(renderReportText(report, createStyle(false)));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lameduck ${escapeHtml(report.setup.source)}: ${escapeHtml(report.setup.workload)} ${report.verdict.toUpperCase()}</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; background: #fff; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .verdict { display: inline-block; padding: 2px 8px; border-radius: 4px; color: #fff; font-weight: 600; }
  .pass { background: #2f8f46; } .fail { background: #c23b30; }
  #timeline { width: 100%; overflow-x: auto; }
  svg text { font-size: 11px; fill: #445; }
  .legend span { display: inline-block; margin-right: 12px; }
  .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
  #tooltip { position: fixed; pointer-events: none; background: #1d2330; color: #fff; padding: 6px 8px; border-radius: 4px; font-size: 12px; white-space: pre; display: none; z-index: 2; }
  pre { background: #f5f6f8; padding: 12px; overflow-x: auto; }
</style>
</head>
<body>
<h1>lameduck ${escapeHtml(report.setup.source)}: ${escapeHtml(report.setup.workload)} <span class="verdict ${report.verdict}">${report.verdict.toUpperCase()}</span></h1>
<div class="legend" id="legend"></div>
<div id="timeline"></div>
<div id="tooltip"></div>
<h2>Summary</h2>
<pre id="summary">${summary}</pre>
<script id="data" type="application/json">${json}</script>
<script>
${CLIENT_SCRIPT}
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string,
  );
}

/** Plain browser JavaScript, no libraries: draws the SVG from the embedded data. */
const CLIENT_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var colors = { ok: '#5aa469', refused: '#c23b30', reset: '#e0703a', 'eof-reused': '#d4a017', timeout: '#7b4fa0',
    truncated: '#b05c8a', 'proxy-502': '#a31621', 'proxy-503': '#ff8c69', 'proxy-504': '#6a3d9a', 'http-5xx': '#8c564b',
    'http-4xx': '#bcbd22', other: '#7f7f7f' };
  var laneColors = { starting: '#d8dee9', serving: '#a3d9a5', terminating: '#f6d186', prestop: '#f3a953', draining: '#e07a5f' };
  var width = Math.max(900, Math.min(2400, data.buckets.length * 4));
  var left = 150, right = 20, chartH = 180, bandH = 70, laneH = 22;
  var lanesTop = chartH + bandH + 50;
  var height = lanesTop + data.replicas.length * laneH + 30;
  var span = Math.max(data.durationMs, 1);
  var x = function (ms) { return left + (ms / span) * (width - left - right); };
  var svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('width', width); svg.setAttribute('height', height); svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Requests, latency and replica lifecycles over time');
  document.getElementById('timeline').appendChild(svg);
  var tooltip = document.getElementById('tooltip');
  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    (parent || svg).appendChild(node);
    return node;
  }
  function hover(node, text) {
    node.setAttribute('data-tip', text);
    node.addEventListener('mousemove', function (e) {
      tooltip.textContent = text; tooltip.style.display = 'block';
      tooltip.style.left = (e.clientX + 12) + 'px'; tooltip.style.top = (e.clientY + 12) + 'px';
    });
    node.addEventListener('mouseleave', function () { tooltip.style.display = 'none'; });
  }
  function s(ms) { return (ms / 1000).toFixed(2) + ' s'; }
  var legend = document.getElementById('legend');
  var used = { ok: true };
  data.buckets.forEach(function (b) { for (var c in b.failed) used[c] = true; });
  Object.keys(used).forEach(function (c) {
    var label = c === 'ok' ? 'ok' : (data.classes.find(function (k) { return k.id === c; }) || { label: c }).label;
    var span = document.createElement('span');
    span.innerHTML = '<i style="background:' + colors[c] + '"></i>' + label;
    legend.appendChild(span);
  });
  // Requests per bucket, stacked by outcome.
  var maxCount = 1;
  data.buckets.forEach(function (b) {
    var total = b.ok; for (var c in b.failed) total += b.failed[c];
    maxCount = Math.max(maxCount, total);
  });
  var barW = Math.max(1, (width - left - right) * data.bucketMs / span - 0.5);
  el('text', { x: 8, y: 14 }).textContent = 'requests / ' + data.bucketMs + ' ms';
  el('text', { x: 8, y: 30 }).textContent = 'max ' + maxCount;
  data.buckets.forEach(function (b) {
    var y = chartH;
    var parts = [['ok', b.ok]];
    for (var c in b.failed) parts.push([c, b.failed[c]]);
    var details = 't=' + s(b.t) + '\nok ' + b.ok;
    for (var c2 in b.failed) details += '\n' + c2 + ' ' + b.failed[c2];
    details += '\np50 ' + b.p50 + ' ms, p99 ' + b.p99 + ' ms';
    parts.forEach(function (p) {
      if (!p[1]) return;
      var h = (p[1] / maxCount) * (chartH - 10);
      y -= h;
      var bar = el('rect', { x: x(b.t), y: y, width: barW, height: h, fill: colors[p[0]], class: 'bar', 'data-outcome': p[0] });
      hover(bar, details);
    });
  });
  // Latency band: p50 and p99 per bucket, on a log scale.
  var bandTop = chartH + 20;
  var maxLat = 1;
  data.buckets.forEach(function (b) { maxLat = Math.max(maxLat, b.p99); });
  var ly = function (ms) { return bandTop + bandH - (Math.log10(1 + ms) / Math.log10(1 + maxLat)) * bandH; };
  el('text', { x: 8, y: bandTop + 12 }).textContent = 'latency p50-p99';
  el('text', { x: 8, y: bandTop + 28 }).textContent = 'max ' + maxLat.toFixed(1) + ' ms';
  var upper = [], lower = [];
  data.buckets.forEach(function (b) {
    if (b.p99 === 0 && b.p50 === 0) return;
    upper.push(x(b.t + data.bucketMs / 2) + ',' + ly(b.p99));
    lower.unshift(x(b.t + data.bucketMs / 2) + ',' + ly(b.p50));
  });
  if (upper.length) el('polygon', { points: upper.concat(lower).join(' '), fill: '#9db4d6', opacity: 0.7, class: 'latency-band' });
  // One swim lane per replica.
  data.replicas.forEach(function (r, i) {
    var y = lanesTop + i * laneH;
    el('text', { x: 8, y: y + 14 }).textContent = r.name;
    var end = r.exitAt == null ? span : r.exitAt;
    function seg(from, to, kind, text) {
      if (from == null || to == null || to <= from) return;
      var rect = el('rect', { x: x(from), y: y + 3, width: Math.max(1, x(to) - x(from)), height: laneH - 6, fill: laneColors[kind], class: 'lane-' + kind });
      hover(rect, r.name + '\n' + text + '\n' + s(from) + ' - ' + s(to));
    }
    seg(r.createdAt, r.readyAt == null ? end : r.readyAt, 'starting', 'starting (not ready)');
    seg(r.readyAt, r.terminatingAt == null ? end : r.terminatingAt, 'serving', 'ready');
    seg(r.terminatingAt, r.preStopEndAt == null ? (r.sigtermAt == null ? end : r.sigtermAt) : r.preStopEndAt, r.preStopStartAt == null ? 'terminating' : 'prestop', r.preStopStartAt == null ? 'terminating' : 'preStop');
    seg(r.sigtermAt, end, 'draining', r.sigtermIgnored ? 'SIGTERM ignored: ' + r.sigtermIgnored : 'after SIGTERM');
  });
  // Event markers on the lanes.
  var markerKinds = { sigterm: '#1d2330', 'sigterm-ignored': '#c23b30', sigkill: '#c23b30', exit: '#444', 'endpoint-removed': '#2a6fdb', 'failed-prestop-hook': '#c23b30', terminating: '#946200', ready: '#2f8f46' };
  var laneIndex = {};
  data.replicas.forEach(function (r, i) { laneIndex[r.name] = i; });
  data.events.forEach(function (e) {
    if (!(e.type in markerKinds) || laneIndex[e.pod] === undefined) return;
    var y = lanesTop + laneIndex[e.pod] * laneH;
    var text = e.type + (e.node ? ' (' + e.node + ')' : '') + ' ' + e.pod + '\nat ' + s(e.at) +
      (e.exitCode != null ? '\nexit code ' + e.exitCode + (e.signal ? ' (' + e.signal + ')' : '') : '') + (e.detail ? '\n' + e.detail : '');
    var marker = e.type === 'endpoint-removed'
      ? el('path', { d: 'M' + x(e.at) + ' ' + (y + 1) + ' l-4 -6 h8 z', fill: markerKinds[e.type], class: 'marker', 'data-type': e.type })
      : el('rect', { x: x(e.at) - 1.5, y: y, width: 3, height: laneH, fill: markerKinds[e.type], class: 'marker', 'data-type': e.type });
    hover(marker, text);
    // Rollout events go on the request chart too.
    if (e.type === 'sigterm' || e.type === 'sigkill') el('line', { x1: x(e.at), x2: x(e.at), y1: 10, y2: chartH, stroke: markerKinds[e.type], 'stroke-dasharray': '3 3', opacity: 0.5 });
  });
  // Time axis.
  for (var t = 0; t <= span; t += 1000) {
    el('line', { x1: x(t), x2: x(t), y1: chartH, y2: chartH + 4, stroke: '#889' });
    if (t % 5000 === 0) el('text', { x: x(t) - 6, y: chartH + 16 }).textContent = (t / 1000) + 's';
  }
  document.body.setAttribute('data-rendered', 'true');
})();
`;
