#!/usr/bin/env node
// bench/runtime: graceful-shutdown libraries side by side, in one run, on this machine.
//   node bench/runtime/index.mjs [--quick] [--only drain|idle|throughput]
// 1. Drain under load: open-model keep-alive load with varied request durations; SIGTERM mid-load.
//    At the signal, routing behaves as after endpoint removal with kube-proxy: new connections go
//    to another backend, while connections already open to the old pod keep being used.
// 2. Exit time with 10,000 idle keep-alive connections, and with one socket that never sent a request.
// 3. Throughput overhead against a bare http.Server (autocannon, alternating rounds; ratio).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import { connect, createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const quick = process.argv.includes('--quick');
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex === -1 ? undefined : process.argv[onlyIndex + 1];
const runs = (part) => only === undefined || only === part;
const serversDir = fileURLToPath(new URL('./servers/', import.meta.url));
const VARIANTS = [
  'bare-close',
  'guide-snippet',
  'stoppable',
  'terminus',
  'http-terminator',
  'lightship',
  'close-with-grace',
  'lameduck',
];
const RATE = 300; // requests per second
const LOAD_MS = quick ? 2000 : 3000;
const SIGNAL_AT_MS = LOAD_MS / 2;
const DURATIONS = [5, 5, 5, 5, 5, 5, 5, 100, 100, 800]; // ms, cycled: some are in flight at the signal
const EXIT_WAIT_MS = 12_000;
const IDLE_CONNECTIONS = 10_000;
/** How long the idle connections sit unused before SIGTERM: past lameduck's 1 s idleGraceMs. */
const IDLE_FOR_MS = 1500;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startVariant(name) {
  const child = spawn(process.execPath, [`${serversDir}${name}.mjs`], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.resume();
  const [line] = await Promise.race([
    once(child.stdout, 'data'),
    sleep(10_000).then(() => {
      throw new Error(`${name} did not start`);
    }),
  ]);
  const port = Number(/listening (\d+)/.exec(String(line))?.[1]);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return { child, port, exited, output: () => output };
}

async function waitExit(variant, signalledAt) {
  const result = await Promise.race([variant.exited, sleep(EXIT_WAIT_MS).then(() => undefined)]);
  if (!result) {
    variant.child.kill('SIGKILL');
    await variant.exited;
    return { exit: 'SIGKILL (hung)', ms: undefined };
  }
  return { exit: result.signal ?? String(result.code), ms: result.at - signalledAt };
}

function classify(error) {
  if (error.code === 'ECONNREFUSED') return 'refused';
  return 'reset';
}

async function drainUnderLoad(name) {
  const fallback = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': 1024 });
    res.end(Buffer.alloc(1024));
  });
  await new Promise((resolve) => fallback.listen(0, '127.0.0.1', resolve));
  const variant = await startVariant(name);
  let signalled = false;
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  // kube-proxy after endpoint removal: new connections go elsewhere; open ones stay pinned (conntrack).
  agent.createConnection = (_options, callback) =>
    createConnection(
      { host: '127.0.0.1', port: signalled ? fallback.address().port : variant.port },
      callback,
    );

  const counts = { ok: 0, reset: 0, refused: 0, truncated: 0, '5xx': 0, timeout: 0 };
  let inFlightAtSignal = 0;
  let inFlight = 0;
  const pending = [];
  const started = performance.now();
  let signalledAt = 0;
  const total = Math.floor((RATE * LOAD_MS) / 1000);
  for (let i = 0; i < total; i++) {
    const intended = started + (i * 1000) / RATE;
    if (!signalled && intended - started >= SIGNAL_AT_MS) {
      signalled = true;
      inFlightAtSignal = inFlight;
      signalledAt = performance.now();
      variant.child.kill('SIGTERM');
    }
    const wait = intended - performance.now();
    if (wait > 0) await sleep(wait);
    const ms = DURATIONS[i % DURATIONS.length];
    inFlight++;
    pending.push(
      new Promise((resolve) => {
        let outcome;
        const req = request(
          { host: '127.0.0.1', port: 1, path: `/work?ms=${ms}`, agent, timeout: 10_000 },
          (res) => {
            const expected = Number(res.headers['content-length']);
            let received = 0;
            res.on('data', (chunk) => (received += chunk.length));
            res.on('end', () => {
              outcome = res.statusCode >= 500 ? '5xx' : received < expected ? 'truncated' : 'ok';
            });
            res.on('aborted', () => (outcome = 'truncated'));
            res.on('error', () => (outcome ??= 'truncated'));
            res.on('close', () => resolve(outcome ?? 'truncated'));
          },
        );
        req.on('timeout', () => {
          outcome = 'timeout';
          req.destroy();
        });
        req.on('error', (error) => {
          outcome ??= classify(error);
          if (process.env.BENCH_DEBUG) {
            console.error(
              `${name}: ${outcome} ${error.code} ms=${ms} sent ${Math.round(intended - signalledAt)} ms after SIGTERM, reused=${req.reusedSocket}`,
            );
          }
          resolve(outcome);
        });
        req.end();
      }).then((result) => {
        inFlight--;
        counts[result]++;
      }),
    );
  }
  await Promise.all(pending);
  const exit = await waitExit(variant, signalledAt);
  agent.destroy();
  fallback.close();
  return { name, counts, inFlightAtSignal, ...exit };
}

async function idleExit(name, { connections, sendRequest }) {
  const variant = await startVariant(name);
  const sockets = [];
  for (let batch = 0; batch < connections; batch += 500) {
    const opened = [];
    for (let i = batch; i < Math.min(batch + 500, connections); i++) {
      const socket = connect(variant.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.on('end', () => socket.end());
      sockets.push(socket);
      opened.push(
        once(socket, 'connect').then(async () => {
          if (!sendRequest) return;
          socket.write('GET /work HTTP/1.1\r\nHost: x\r\n\r\n');
          let seen = 0;
          while (seen < 1024) {
            const [chunk] = await once(socket, 'data');
            seen += chunk.length;
          }
        }),
      );
    }
    await Promise.all(opened);
  }
  await sleep(IDLE_FOR_MS);
  const signalledAt = performance.now();
  variant.child.kill('SIGTERM');
  const exit = await waitExit(variant, signalledAt);
  for (const socket of sockets) socket.destroy();
  const inside = /exit-ms (\d+)/.exec(variant.output())?.[1];
  return { ...exit, inside: inside === undefined ? undefined : Number(inside) };
}

async function throughput(name, seconds) {
  const variant = await startVariant(name);
  const result = await autocannon({
    url: `http://127.0.0.1:${variant.port}/work`,
    connections: 50,
    duration: seconds,
  });
  variant.child.kill('SIGKILL');
  await variant.exited;
  return result.requests.average;
}

function ms(value) {
  return value === undefined ? '> 12 s (killed)' : `${Math.round(value)} ms`;
}

const drain = [];
if (runs('drain')) for (const name of VARIANTS) drain.push(await drainUnderLoad(name));
const idle = [];
if (runs('idle')) {
  for (const name of VARIANTS) {
    idle.push({
      name,
      idle: await idleExit(name, { connections: IDLE_CONNECTIONS, sendRequest: true }),
      silent: await idleExit(name, { connections: 1, sendRequest: false }),
    });
  }
}
const rounds = quick ? 1 : 5;
const bare = [];
const bareAgain = [];
const withLameduck = [];
if (runs('throughput')) {
  for (let round = 0; round < rounds; round++) {
    bare.push(await throughput('bare', quick ? 2 : 4));
    withLameduck.push(await throughput('lameduck', quick ? 2 : 4));
    bareAgain.push(await throughput('bare', quick ? 2 : 4));
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

if (drain.length > 0) {
  console.log(
    `\nDrain under load: ${RATE} req/s keep-alive for ${LOAD_MS / 1000} s, SIGTERM at ${SIGNAL_AT_MS / 1000} s, request durations ${[...new Set(DURATIONS)].join('/')} ms\n`,
  );
  console.log(
    '| variant | requests | failed | reset | refused | truncated | 5xx | in flight at SIGTERM | SIGTERM to exit | exit |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of drain) {
    const failed =
      r.counts.reset + r.counts.refused + r.counts.truncated + r.counts['5xx'] + r.counts.timeout;
    console.log(
      `| ${r.name} | ${failed + r.counts.ok} | ${failed} | ${r.counts.reset} | ${r.counts.refused} | ${r.counts.truncated} | ${r.counts['5xx']} | ${r.inFlightAtSignal} | ${ms(r.ms)} | ${r.exit} |`,
    );
  }
}
if (idle.length > 0) {
  console.log(
    `\nExit time after SIGTERM, as the parent process sees it (connections idle for ${IDLE_FOR_MS / 1000} s)\n`,
  );
  console.log(
    `| variant | ${IDLE_CONNECTIONS.toLocaleString('en')} idle keep-alive connections | 1 connection that never sent a request |`,
  );
  console.log('|---|---:|---:|');
  const inside = (r) => (r.inside === undefined ? '' : `; ${r.inside} ms from the signal to exit() inside`);
  for (const r of idle)
    console.log(
      `| ${r.name} | ${ms(r.idle.ms)} (${r.idle.exit}${inside(r.idle)}) | ${ms(r.silent.ms)} (${r.silent.exit}) |`,
    );
}
if (bare.length > 0) {
  const ratio = median(withLameduck) / median(bare);
  console.log(
    `\nThroughput (autocannon, 50 keep-alive connections, median of ${rounds} alternating rounds)\n`,
  );
  console.log('| server | req/s | ratio |');
  console.log('|---|---:|---:|');
  console.log(`| bare http.Server | ${Math.round(median(bare))} | 1.000 |`);
  console.log(`| with lameduck | ${Math.round(median(withLameduck))} | ${ratio.toFixed(3)} |`);
  console.log(
    `| bare http.Server again (noise) | ${Math.round(median(bareAgain))} | ${(median(bareAgain) / median(bare)).toFixed(3)} |`,
  );
}
