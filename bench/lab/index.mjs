#!/usr/bin/env node
// bench/lab: the lab's load generator against wrk and autocannon on the same trivial server (ratio of
// maximum rates), and the emulated proxies' added latency against a direct connection at a fixed
// open-model rate. Targets (issue #5): at least 70 % of wrk's rate; proxy overhead under 1 ms p99
// at 1,000 req/s.
//   node bench/lab/index.mjs [--quick]
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { endpointOf } from '../../packages/cli/dist/cluster/endpoints.js';
import { Ingress } from '../../packages/cli/dist/lab/ingress.js';
import { KubeProxyNode } from '../../packages/cli/dist/lab/kube-proxy.js';
import { EndpointView } from '../../packages/cli/dist/lab/propagator.js';
import { LoadGenerator } from '../../packages/cli/dist/load/generator.js';
import { monotonicClock } from '../../packages/cli/dist/recording/records.js';
import { latencySummary } from '../../packages/cli/dist/report/latency.js';

const quick = process.argv.includes('--quick');
const seconds = quick ? 3 : 8;
const connections = 50;
const root = fileURLToPath(new URL('../../', import.meta.url));

spawnSync(`${root}scripts/apt-install.sh`, ['wrk:wrk'], { stdio: 'inherit' });

/** The target: a trivial keep-alive server in its own process, pinned nowhere (2 cores are shared). */
async function startServer() {
  const child = spawn(
    process.execPath,
    [
      '-e',
      "const s = require('http').createServer((q, r) => r.end('ok')); s.keepAliveTimeout = 60000; s.listen(0, '127.0.0.1', () => console.log(s.address().port))",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = await once(child.stdout, 'data');
  return { port: Number(String(line).trim()), stop: () => child.kill('SIGKILL') };
}

function wrkRate(port) {
  const result = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, `http://127.0.0.1:${port}/`], {
    encoding: 'utf8',
  });
  const match = /Requests\/sec:\s+([\d.]+)/.exec(result.stdout);
  if (!match) throw new Error(`wrk printed no rate:\n${result.stdout}${result.stderr}`);
  return Number(match[1]);
}

async function autocannonRate(port) {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections, duration: seconds });
  return result.requests.total / seconds;
}

async function lameduckRate(port, model = { kind: 'closed', concurrency: connections }, duration = seconds) {
  const clock = monotonicClock();
  const load = new LoadGenerator(
    {
      targets: [{ name: 'direct', url: new URL(`http://127.0.0.1:${port}/`) }],
      model,
      keepAlive: true,
      method: 'GET',
      timeoutMs: 10_000,
      maxConnections: connections,
      maxInFlight: 100_000,
    },
    clock,
  );
  load.start();
  await new Promise((resolve) => setTimeout(resolve, duration * 1000));
  const records = await load.stop();
  return { rate: records.length / duration, records };
}

/** After a 1 s warm-up at the same rate (JIT, connection set-up), which is not counted. */
async function latencyThrough(port) {
  await lameduckRate(port, { kind: 'open', rate: 1000 }, 1);
  const { records } = await lameduckRate(port, { kind: 'open', rate: 1000 });
  const failed = records.filter((r) => r.errorClass !== undefined).length;
  return { ...latencySummary(records.map((r) => r.endedAt - r.intendedAt)), failed };
}

const server = await startServer();
try {
  console.log(`maximum rate, ${connections} keep-alive connections, ${seconds} s each, same server process`);
  const wrk = wrkRate(server.port);
  const cannon = await autocannonRate(server.port);
  const { rate: ours } = await lameduckRate(server.port);
  const row = (name, rate) =>
    console.log(
      `  ${name.padEnd(22)} ${String(Math.round(rate)).padStart(7)} req/s   ${(rate / wrk).toFixed(2)} x wrk`,
    );
  row('wrk 4 (C, 1 thread)', wrk);
  row('autocannon 8', cannon);
  row('lameduck load generator', ours);
  console.log(`  target >= 0.70 x wrk: ${ours / wrk >= 0.7 ? 'met' : 'NOT met'}`);

  console.log(`\nlatency at 1,000 req/s open model, ${seconds} s, from the intended send time (ms)`);
  const endpoint = endpointOf({
    pod: 'server',
    host: '127.0.0.1',
    port: server.port,
    podReady: true,
    terminating: false,
  });
  const nodeView = new EndpointView('node-1', 'kube-proxy', () => 0);
  nodeView.endpoints = [endpoint];
  const kubeProxy = new KubeProxyNode(nodeView, () => 0, [], Math.random);
  const kubeProxyPort = await kubeProxy.listen();
  const ingressView = new EndpointView('ingress', 'ingress', () => 0);
  ingressView.endpoints = [endpoint];
  const ingress = new Ingress(ingressView, { upstreamTimeoutMs: 60_000 });
  const ingressPort = await ingress.listen();
  const direct = await latencyThrough(server.port);
  const viaKubeProxy = await latencyThrough(kubeProxyPort);
  const viaIngress = await latencyThrough(ingressPort);
  const line = (name, l) =>
    console.log(
      `  ${name.padEnd(12)} p50 ${l.p50.toFixed(3).padStart(7)}  p99 ${l.p99.toFixed(3).padStart(7)}  max ${l.max.toFixed(3).padStart(8)}  failed ${l.failed}` +
        (l === direct ? '' : `   added p99 ${(l.p99 - direct.p99).toFixed(3)} ms`),
    );
  line('direct', direct);
  line('kube-proxy', viaKubeProxy);
  line('ingress', viaIngress);
  const worst = Math.max(viaKubeProxy.p99 - direct.p99, viaIngress.p99 - direct.p99);
  console.log(`  target: added p99 < 1 ms: ${worst < 1 ? 'met' : 'NOT met'} (worst ${worst.toFixed(3)} ms)`);
  await kubeProxy.close();
  await ingress.close();
} finally {
  server.stop();
}
