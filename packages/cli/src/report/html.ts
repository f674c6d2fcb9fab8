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
    diagnosis: report.diagnosis,
    events: report.events.filter((e) => e.type !== 'load-start' && e.type !== 'load-end'),
  };
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const summary = escapeHtml(renderReportText(report, createStyle(false)));
  const crossed = report.thresholds.filter((t) => t.crossed).map((t) => t.threshold);
  const diagnosis =
    report.diagnosis.length === 0
      ? '<p class="ok">No request failed and every replica stopped on its own.</p>'
      : `<ul>${report.diagnosis
          .map(
            (d) =>
              `<li data-cause="${escapeHtml(d.cause)}"><b>${escapeHtml(d.message)}</b>${d.replicas.length > 0 ? ` <span class="replicas">(${escapeHtml(d.replicas.join(', '))})</span>` : ''}<br><span class="advice">&rarr; ${escapeHtml(d.advice)}</span></li>`,
          )
          .join('')}</ul>`;
  const warnings = report.warnings.map((w) => `<p class="warning">Warning: ${escapeHtml(w)}</p>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lameduck ${escapeHtml(report.setup.source)}: ${escapeHtml(report.setup.workload)} ${report.verdict.toUpperCase()}</title>
<style>
  * { box-sizing: border-box; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0 auto; padding: 16px 24px; max-width: 1800px; color: #1d2330; background: #fff; }
  h1 { font-size: 20px; margin: 0 0 4px; overflow-wrap: anywhere; }
  h2 { font-size: 16px; margin: 16px 0 6px; }
  .verdict { display: inline-block; padding: 2px 8px; border-radius: 4px; color: #fff; font-weight: 600; }
  .pass { background: #2f8f46; } .fail { background: #c23b30; }
  .crossed { color: #c23b30; font-weight: 600; }
  #diagnosis ul { margin: 0; padding-left: 20px; }
  #diagnosis li { margin-bottom: 6px; overflow-wrap: anywhere; }
  .advice { color: #2a5d9f; } .ok { color: #2f8f46; } .warning { color: #946200; overflow-wrap: anywhere; }
  #timeline { width: 100%; }
  #timeline svg { display: block; width: 100%; }
  svg text { font-size: 11px; fill: #445; }
  .legend { margin: 4px 0; }
  .legend span { display: inline-block; margin: 0 12px 2px 0; white-space: nowrap; }
  .legend i { display: inline-block; width: 12px; height: 10px; margin-right: 4px; vertical-align: -1px; }
  .legend svg { vertical-align: -2px; margin-right: 4px; }
  #tooltip { position: fixed; pointer-events: none; background: #1d2330; color: #fff; padding: 6px 8px; border-radius: 4px; font-size: 12px; white-space: pre-wrap; max-width: 420px; display: none; z-index: 2; }
  pre { background: #f5f6f8; padding: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
  @media (max-width: 1000px) { pre { font-size: 11px; } }
</style>
</head>
<body>
<h1>lameduck ${escapeHtml(report.setup.source)}: ${escapeHtml(report.setup.workload)} <span class="verdict ${report.verdict}">${report.verdict.toUpperCase()}</span>${crossed.length > 0 ? ` <span class="crossed">${escapeHtml(crossed.join(', '))}</span>` : ''}</h1>
<section id="diagnosis"><h2>Diagnosis</h2>${diagnosis}${warnings}</section>
<h2>Timeline</h2>
<div class="legend" id="legend"></div>
<div class="legend" id="lane-legend"></div>
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
  var laneLabels = { starting: 'starting (not ready)', serving: 'ready, serving', terminating: 'terminating (no preStop)',
    prestop: 'preStop running', draining: 'after SIGTERM' };
  var KILL = '#b00020';
  var markerKinds = { sigterm: '#1d2330', 'sigterm-ignored': KILL, exit: '#444', 'endpoint-removed': '#2a6fdb',
    'failed-prestop-hook': KILL, sigkill: KILL };
  var tooltip = document.getElementById('tooltip');
  var span = Math.max(data.durationMs, 1);
  function s(ms) { return (ms / 1000).toFixed(2) + ' s'; }
  function make(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function hover(node, text) {
    node.setAttribute('data-tip', text);
    node.addEventListener('mousemove', function (e) {
      tooltip.textContent = text; tooltip.style.display = 'block';
      tooltip.style.left = Math.min(e.clientX + 12, window.innerWidth - 430) + 'px'; tooltip.style.top = (e.clientY + 12) + 'px';
    });
    node.addEventListener('mouseleave', function () { tooltip.style.display = 'none'; });
  }
  // Shapes shared by the lanes and the legend, so the legend shows exactly what the chart draws.
  var shapes = {
    sigterm: function (g, cx, y, h) { return make('rect', { x: cx - 1.5, y: y, width: 3, height: h, fill: markerKinds.sigterm }, g); },
    exit: function (g, cx, y, h) { return make('rect', { x: cx - 1, y: y + 2, width: 2, height: h - 4, fill: markerKinds.exit }, g); },
    'endpoint-removed': function (g, cx, y) { return make('path', { d: 'M' + (cx - 4) + ' ' + (y + 1) + ' h8 l-4 7 z', fill: markerKinds['endpoint-removed'] }, g); },
    'failed-prestop-hook': function (g, cx, y, h) { return make('circle', { cx: cx, cy: y + h / 2, r: 4, fill: 'none', stroke: KILL, 'stroke-width': 2 }, g); },
    'sigterm-ignored': function (g, cx, y, h) { return make('rect', { x: cx - 1.5, y: y, width: 3, height: h, fill: KILL, opacity: 0.6 }, g); },
    sigkill: function (g, cx, y, h) {
      var m = make('g', {}, g);
      make('rect', { x: cx - 7, y: y - 1, width: 14, height: h + 2, fill: '#fff', opacity: 0.85 }, m);
      make('path', { d: 'M' + (cx - 5) + ' ' + (y + 2) + ' l10 ' + (h - 4) + ' M' + (cx + 5) + ' ' + (y + 2) + ' l-10 ' + (h - 4), stroke: KILL, 'stroke-width': 3 }, m);
      return m;
    }
  };
  var markerLabels = { sigterm: 'SIGTERM', exit: 'exit (code on hover)', sigkill: 'SIGKILL: exit 137 at the end of the grace period',
    'endpoint-removed': 'removed from a data plane (kube-proxy node or ingress)', 'failed-prestop-hook': 'FailedPreStopHook',
    'sigterm-ignored': 'SIGTERM ignored by PID 1' };

  // Legends: request outcomes that occur, then every lane colour and mark.
  var legend = document.getElementById('legend');
  var used = { ok: true };
  data.buckets.forEach(function (b) { for (var c in b.failed) used[c] = true; });
  Object.keys(used).forEach(function (c) {
    var label = c === 'ok' ? 'request ok' : (data.classes.find(function (k) { return k.id === c; }) || { label: c }).label;
    var item = document.createElement('span');
    item.setAttribute('data-legend', c);
    item.innerHTML = '<i style="background:' + colors[c] + '"></i>';
    item.appendChild(document.createTextNode(label));
    legend.appendChild(item);
  });
  var laneLegend = document.getElementById('lane-legend');
  function legendItem(key, label, draw) {
    var item = document.createElement('span');
    item.setAttribute('data-legend', key);
    var icon = make('svg', { width: 16, height: 14, viewBox: '0 0 16 14' });
    draw(icon);
    item.appendChild(icon);
    item.appendChild(document.createTextNode(label));
    laneLegend.appendChild(item);
  }
  Object.keys(laneLabels).forEach(function (k) {
    legendItem('lane-' + k, laneLabels[k], function (g) { make('rect', { x: 0, y: 2, width: 16, height: 10, fill: laneColors[k] }, g); });
  });
  legendItem('routed-after-stop', 'app stopped while a data plane still routed to it (the cause of the failures)', function (g) {
    make('rect', { x: 0, y: 2, width: 16, height: 10, fill: 'url(#stale-hatch-legend)', stroke: KILL }, g);
    defs(g, 'stale-hatch-legend');
  });
  var present = {};
  data.events.forEach(function (e) { present[e.type] = true; });
  Object.keys(markerLabels).forEach(function (k) {
    if (k !== 'sigterm' && k !== 'exit' && !present[k]) return;
    legendItem('marker-' + k, markerLabels[k], function (g) { shapes[k](g, 8, 1, 12); });
  });

  function defs(svg, id) {
    var d = make('defs', {}, svg);
    var p = make('pattern', { id: id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, d);
    make('rect', { width: 6, height: 6, fill: '#fbe3e0' }, p);
    make('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: KILL, 'stroke-width': 2 }, p);
  }

  var byReplica = {};
  data.diagnosis.forEach(function (d) { d.replicas.forEach(function (r) { (byReplica[r] = byReplica[r] || []).push(d); }); });

  function draw() {
    var container = document.getElementById('timeline');
    container.textContent = '';
    var width = Math.max(320, container.clientWidth);
    var left = width < 700 ? 90 : 140, right = 16, chartH = 170, bandH = 60, laneH = 24;
    var lanesTop = chartH + bandH + 44;
    var height = lanesTop + data.replicas.length * laneH + 8;
    var x = function (ms) { return left + (ms / span) * (width - left - right); };
    var svg = make('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img',
      'aria-label': 'Requests, latency and replica lifecycles over time' }, container);
    defs(svg, 'stale-hatch');
    function el(name, attrs, parent) { return make(name, attrs, parent || svg); }
    // Requests per bucket, stacked by outcome.
    var maxCount = 1;
    data.buckets.forEach(function (b) {
      var total = b.ok; for (var c in b.failed) total += b.failed[c];
      maxCount = Math.max(maxCount, total);
    });
    var barW = Math.max(1, (width - left - right) * data.bucketMs / span - 0.5);
    el('text', { x: 4, y: 14 }).textContent = 'requests / ' + data.bucketMs + ' ms';
    el('text', { x: 4, y: 30 }).textContent = 'max ' + maxCount;
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
        hover(el('rect', { x: x(b.t), y: y, width: barW, height: h, fill: colors[p[0]], class: 'bar', 'data-outcome': p[0] }), details);
      });
    });
    // Latency band: p50 and p99 per bucket, on a log scale.
    var bandTop = chartH + 20;
    var maxLat = 1;
    data.buckets.forEach(function (b) { maxLat = Math.max(maxLat, b.p99); });
    var ly = function (ms) { return bandTop + bandH - (Math.log10(1 + ms) / Math.log10(1 + maxLat)) * bandH; };
    el('text', { x: 4, y: bandTop + 12 }).textContent = 'latency p50-p99';
    el('text', { x: 4, y: bandTop + 28 }).textContent = 'max ' + maxLat.toFixed(1) + ' ms';
    var upper = [], lower = [];
    data.buckets.forEach(function (b) {
      if (b.p99 === 0 && b.p50 === 0) return;
      upper.push(x(b.t + data.bucketMs / 2) + ',' + ly(b.p99));
      lower.unshift(x(b.t + data.bucketMs / 2) + ',' + ly(b.p50));
    });
    if (upper.length) el('polygon', { points: upper.concat(lower).join(' '), fill: '#9db4d6', opacity: 0.7, class: 'latency-band' });
    // Time axis.
    var step = span <= 10000 ? 1000 : span > 60000 ? 10000 : 5000;
    for (var t = 0; t <= span; t += 1000) {
      el('line', { x1: x(t), x2: x(t), y1: chartH, y2: chartH + 4, stroke: '#889' });
      if (t % step === 0) el('text', { x: x(t) - 6, y: chartH + 16 }).textContent = (t / 1000) + 's';
    }
    // One swim lane per replica; its marks sit inside its own lane.
    var laneIndex = {};
    data.replicas.forEach(function (r, i) {
      laneIndex[r.name] = i;
      var y = lanesTop + i * laneH;
      var lane = el('g', { class: 'lane', 'data-lane': r.name });
      var label = el('text', { x: 4, y: y + 15 }, lane);
      label.textContent = r.name;
      var end = r.exitAt == null ? span : r.exitAt;
      function seg(from, to, kind, text) {
        if (from == null || to == null || to <= from) return;
        hover(el('rect', { x: x(from), y: y + 3, width: Math.max(1, x(to) - x(from)), height: laneH - 6, fill: laneColors[kind], class: 'lane-' + kind }, lane),
          r.name + '\n' + text + '\n' + s(from) + ' - ' + s(to));
      }
      seg(r.createdAt, r.readyAt == null ? end : r.readyAt, 'starting', 'starting (not ready)');
      seg(r.readyAt, r.terminatingAt == null ? end : r.terminatingAt, 'serving', 'ready');
      seg(r.terminatingAt, r.preStopEndAt == null ? (r.sigtermAt == null ? end : r.sigtermAt) : r.preStopEndAt, r.preStopStartAt == null ? 'terminating' : 'prestop', r.preStopStartAt == null ? 'terminating' : 'preStop');
      seg(r.sigtermAt, end, 'draining', r.sigtermIgnored ? 'SIGTERM ignored: ' + r.sigtermIgnored : 'after SIGTERM');
      // The cause, drawn: the app had stopped (or was stopping) while some data plane still routed to it.
      var removals = Object.keys(r.endpointRemovedAt).map(function (k) { return r.endpointRemovedAt[k]; });
      var routedUntil = removals.length ? Math.max.apply(null, removals) : undefined;
      var causes = byReplica[r.name] || [];
      var stale = causes.filter(function (d) { return d.cause === 'stale-endpoint' || d.cause === 'keepalive-race' || d.cause === 'in-flight-cut'; });
      var stoppedAt = stale.length && r.sigtermAt != null ? r.sigtermAt : r.exitAt;
      if (routedUntil != null && stoppedAt != null && stoppedAt < routedUntil) {
        var win = el('rect', { x: x(stoppedAt), y: y + 1, width: Math.max(2, x(routedUntil) - x(stoppedAt)), height: laneH - 2,
          fill: 'url(#stale-hatch)', stroke: KILL, class: 'stale-window' }, lane);
        var why = stale.length ? stale.map(function (d) { return d.message; }).join('\n') : 'the app exited before every data plane stopped routing to it';
        hover(win, r.name + ': stopped at ' + s(stoppedAt) + ', still routed until ' + s(routedUntil) + '\n' + why);
        if (x(routedUntil) - x(stoppedAt) > 110) {
          var t2 = el('text', { x: x(stoppedAt) + 4, y: y + 15, class: 'stale-label', style: 'fill:' + KILL + ';font-weight:600' }, lane);
          t2.textContent = stale.length ? 'routed after stop: ' + stale[0].cause : 'routed after exit';
        }
      }
    });
    // Marks, exits before SIGKILL so a kill is never hidden under its exit.
    var order = { exit: 0, 'endpoint-removed': 1, sigterm: 2, 'sigterm-ignored': 3, 'failed-prestop-hook': 4, sigkill: 5 };
    data.events.filter(function (e) { return e.type in order && laneIndex[e.pod] !== undefined; })
      .sort(function (a, b) { return order[a.type] - order[b.type]; })
      .forEach(function (e) {
        var y = lanesTop + laneIndex[e.pod] * laneH;
        var text = e.type + (e.node ? ' (' + e.node + ')' : '') + ' ' + e.pod + '\nat ' + s(e.at) +
          (e.exitCode != null ? '\nexit code ' + e.exitCode + (e.signal ? ' (' + e.signal + ')' : '') : '') + (e.detail ? '\n' + e.detail : '');
        var marker = shapes[e.type](svg, x(e.at), y, laneH);
        marker.setAttribute('class', 'marker');
        marker.setAttribute('data-type', e.type);
        if (e.type === 'exit' && e.exitCode === 137) marker.setAttribute('fill', KILL);
        hover(marker, text);
        if (e.type === 'sigkill') {
          var label = el('text', { x: x(e.at) + 9, y: y + 15, class: 'sigkill-label', style: 'fill:' + KILL + ';font-weight:700' });
          label.textContent = 'SIGKILL 137';
          if (x(e.at) + 90 > width) { label.setAttribute('x', x(e.at) - 9); label.setAttribute('text-anchor', 'end'); }
        }
        if (e.type === 'sigterm' || e.type === 'sigkill') el('line', { x1: x(e.at), x2: x(e.at), y1: 10, y2: chartH, stroke: markerKinds[e.type], 'stroke-dasharray': '3 3', opacity: 0.5 });
      });
  }
  draw();
  var pending;
  window.addEventListener('resize', function () { clearTimeout(pending); pending = setTimeout(draw, 100); });
  document.body.setAttribute('data-rendered', 'true');
})();
`;
