#!/usr/bin/env node
// bench/runtime: graceful-shutdown libraries side by side, in one run, on this machine.
//   node bench/runtime/index.mjs [--samples N] [--quick] [--only drain|idle|overhead]
// 1. Drain under load: open-model keep-alive load with varied request durations; SIGTERM mid-load.
//    At the signal, routing behaves as after endpoint removal with kube-proxy: new connections go
//    to another backend, while connections already open to the old pod keep being used.
// 2. Exit time with 10,000 idle keep-alive connections, and with one socket that never sent a request,
//    each at several idle ages (lameduck leaves a socket used within idleGraceMs, 1 s, open).
// 3. Per-request overhead against a bare http.Server, in CPU instructions counted by callgrind.
// Every test runs --samples times (default 5) in one round-robin loop; tables give min / median / max.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { connect, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean' }, samples: { type: 'string' }, only: { type: 'string' } },
});
const SAMPLES = Number(flags.samples ?? (flags.quick ? 2 : 5));
if (!Number.isInteger(SAMPLES) || SAMPLES < 1) throw new Error(`--samples must be a positive integer`);
if (flags.only !== undefined && !['drain', 'idle', 'overhead'].includes(flags.only)) {
  throw new Error(`--only takes drain, idle or overhead, not ${flags.only}`);
}
const runs = (part) => flags.only === undefined || flags.only === part;
const serversDir = fileURLToPath(new URL('./servers/', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
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
const LOAD_MS = flags.quick ? 2000 : 3000;
const SIGNAL_AT_MS = LOAD_MS / 2;
const DURATIONS = [5, 5, 5, 5, 5, 5, 5, 100, 100, 800]; // ms, cycled: some are in flight at the signal
const EXIT_WAIT_MS = 12_000; // past every variant's 10 s budget
const IDLE_CONNECTIONS = 10_000;
/** Time from the last response (or the connect) to SIGTERM: within and past lameduck's 1 s idleGraceMs. */
const IDLE_AGES_MS = [100, 1500];
/** Callgrind: requests after warm-up; the per-request count is the difference of N and 2N windows. */
const OVERHEAD_REQUESTS = flags.quick ? 500 : 1000;
const OVERHEAD_WARMUP = 200;
// --jitless: V8's optimising tiers compile on background threads on their own schedule, and write
// code that valgrind must re-translate, so counts would swing with timing; the interpreter does the
// same work each time. It weighs JavaScript against native code more than production does, which
// overstates a JavaScript overhead, if anything. --single-threaded keeps GC and compilation work on
// the main thread, where callgrind counts it with the requests. Both servers get the same flags.
const CALLGRIND_NODE_FLAGS = ['--jitless', '--single-threaded'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a server file in its own process (optionally under a wrapper such as valgrind). */
async function startServer(name, { wrapper = [], nodeFlags = [], startMs = 10_000 } = {}) {
  const [command, ...args] = [...wrapper, process.execPath, ...nodeFlags, `${serversDir}${name}.mjs`];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.resume();
  const [line] = await once(child.stdout, 'data', { signal: AbortSignal.timeout(startMs) }).catch(() => {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start within ${startMs} ms`);
  });
  const port = Number(/listening (\d+)/.exec(String(line))?.[1]);
  child.stdout.resume();
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return { child, port, exited };
}

/** Exit time and status after SIGTERM; a variant that has not exited after EXIT_WAIT_MS is killed. */
async function waitExit(variant, signalledAt) {
  const timer = setTimeout(() => variant.child.kill('SIGKILL'), EXIT_WAIT_MS);
  const result = await variant.exited;
  clearTimeout(timer);
  if (result.signal === 'SIGKILL') return { exit: 'killed', ms: Number.POSITIVE_INFINITY };
  return { exit: result.signal ?? String(result.code), ms: result.at - signalledAt };
}

async function drainUnderLoad(name) {
  const fallback = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': 1024 });
    res.end(Buffer.alloc(1024));
  });
  await new Promise((resolve) => fallback.listen(0, '127.0.0.1', resolve));
  const variant = await startServer(name);
  let signalled = false;
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  // kube-proxy after endpoint removal: new connections go elsewhere; open ones stay pinned (conntrack).
  agent.createConnection = (_options, callback) =>
    createConnection(
      { host: '127.0.0.1', port: signalled ? fallback.address().port : variant.port },
      callback,
    );

  const counts = { reset: 0, refused: 0, truncated: 0, '5xx': 0, timeout: 0, ok: 0 };
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
          outcome ??= error.code === 'ECONNREFUSED' ? 'refused' : 'reset';
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
  return { failed: total - counts.ok, counts, inFlightAtSignal, ...exit };
}

/** Sends one request on a raw socket and reads the whole /work response (1 KiB body). */
async function requestOn(socket) {
  socket.write('GET /work HTTP/1.1\r\nHost: x\r\n\r\n');
  let text = '';
  for (;;) {
    const [chunk] = await once(socket, 'data');
    text += chunk;
    const headerEnd = text.indexOf('\r\n\r\n');
    if (headerEnd !== -1 && text.length - headerEnd - 4 >= 1024) return;
  }
}

/**
 * Opens `connections` sockets in batches of 500 (with a request on each when `sendRequest`, so the
 * server has accepted a batch before the next one connects), then sends one more request on every
 * socket at once, so that all are idle for about the same time; waits `idleForMs`, then SIGTERM.
 */
async function idleExit(name, { connections, sendRequest, idleForMs }) {
  const variant = await startServer(name);
  const sockets = [];
  for (let batch = 0; batch < connections; batch += 500) {
    const opened = [];
    for (let i = batch; i < Math.min(batch + 500, connections); i++) {
      const socket = connect(variant.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.on('end', () => socket.end());
      sockets.push(socket);
      opened.push(once(socket, 'connect').then(() => sendRequest && requestOn(socket)));
    }
    await Promise.all(opened);
  }
  if (sendRequest) await Promise.all(sockets.map(requestOn));
  await sleep(idleForMs);
  const signalledAt = performance.now();
  variant.child.kill('SIGTERM');
  const exit = await waitExit(variant, signalledAt);
  for (const socket of sockets) socket.destroy();
  return exit;
}

const seconds = (ms) => `${ms / 1000} s`;

function median(sorted) {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** "min / median / max" of numbers, each shown by `show`. */
function spread(values, show = Math.round) {
  const sorted = [...values].sort((a, b) => a - b);
  return [sorted[0], median(sorted), sorted.at(-1)].map(show).join(' / ');
}

/** Exit time spread and the exit statuses seen (0, 1, a signal); ∞ is a variant killed at EXIT_WAIT_MS. */
function exitCell(results) {
  const times = results.map((r) => r.ms);
  const killed = (value) => (value === Number.POSITIVE_INFINITY ? 'killed' : Math.round(value));
  const unit = times.includes(Number.POSITIVE_INFINITY) ? '' : ' ms';
  return `${spread(times, killed)}${unit} (${[...new Set(results.map((r) => r.exit))].join(', ')})`;
}

/** Failed requests spread, with the kinds of failure seen. */
function failedCell(results) {
  const kinds = Object.keys(results[0].counts).filter(
    (kind) => kind !== 'ok' && results.some((r) => r.counts[kind] > 0),
  );
  return `${spread(results.map((r) => r.failed))}${kinds.length > 0 ? ` ${kinds.join(', ')}` : ''}`;
}

const drainTest = {
  variants: VARIANTS,
  columns: ['drain: failed requests', 'drain: SIGTERM to exit'],
  run: drainUnderLoad,
  cells: (results) => [failedCell(results), exitCell(results)],
};
const idleTests = IDLE_AGES_MS.flatMap((idleForMs) => [
  {
    variants: VARIANTS,
    columns: [`${IDLE_CONNECTIONS.toLocaleString('en')} idle keep-alive, ${seconds(idleForMs)}`],
    run: (name) => idleExit(name, { connections: IDLE_CONNECTIONS, sendRequest: true, idleForMs }),
    cells: (results) => [exitCell(results)],
  },
  {
    variants: VARIANTS,
    columns: [`1 silent socket, ${seconds(idleForMs)}`],
    run: (name) => idleExit(name, { connections: 1, sendRequest: false, idleForMs }),
    cells: (results) => [exitCell(results)],
  },
]);

function printTimings(samples) {
  const timingTests = [drainTest, ...idleTests].filter((test) => samples.has(test));
  if (timingTests.length === 0) return;
  console.log(
    `\n${SAMPLES} sample${SAMPLES === 1 ? '' : 's'} per variant and test, min / median / max${flags.quick ? ' (--quick: a 2 s load, 500-request callgrind windows and, unless --samples says otherwise, 2 samples rather than 5)' : ''}; exit statuses in brackets.`,
  );
  if (samples.has(drainTest)) {
    const inFlight = [...samples.get(drainTest).values()].flat().map((r) => r.inFlightAtSignal);
    console.log(
      `Drain: ${RATE} req/s keep-alive for ${seconds(LOAD_MS)}, SIGTERM at ${seconds(SIGNAL_AT_MS)}, request durations ${[...new Set(DURATIONS)].join('/')} ms; ${spread(inFlight)} requests in flight at SIGTERM.`,
    );
  }
  if (runs('idle')) {
    console.log(
      `Idle: SIGTERM to exit as the parent process sees it, the connections idle for ${IDLE_AGES_MS.map(seconds).join(' or ')} since their response (silent: since their connect).`,
    );
  }
  const columns = timingTests.flatMap((test) => test.columns);
  console.log(`\n| variant | ${columns.join(' | ')} |`);
  console.log(`|---|${columns.map(() => '---:').join('|')}|`);
  for (const name of VARIANTS) {
    const cells = timingTests.flatMap((test) => test.cells(samples.get(test).get(name)));
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
}

/** Installs valgrind when root may; otherwise says how. Returns whether callgrind can run. */
function haveValgrind() {
  const present = () => spawnSync('valgrind', ['--version']).status === 0;
  if (present()) return true;
  if (process.getuid?.() === 0)
    spawnSync(`${root}scripts/apt-install.sh`, ['valgrind:valgrind'], { stdio: 'inherit' });
  if (present()) return true;
  console.log(
    '\nPer-request overhead: skipped, valgrind is not installed. Install it (as root: apt-get install -y valgrind) and run again.',
  );
  return false;
}

/** Sends `count` sequential requests over one keep-alive connection. */
async function sendRequests(port, count) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < count; i++) {
    await new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/work', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
  }
  agent.destroy();
}

/**
 * CPU instructions per request of one server, under callgrind; the requests come from this (not
 * instrumented) process. Start-up, module loading and first-request set-up are excluded: after a
 * warm-up, callgrind_control zeroes the counters, N requests run, and it dumps them; the same again
 * with 2N. (2N window - N window) / N leaves only what each request costs: the cost of the
 * zero/dump commands themselves, and any other fixed cost of a window, cancels out. The count still
 * varies by about 1 % from run to run (V8's GC heuristics look at the clock), hence the samples.
 */
async function instructionsPerRequest(name) {
  const dir = mkdtempSync(`${tmpdir()}/lameduck-bench-callgrind-`);
  const outFile = `${dir}/${name}.callgrind`;
  const server = await startServer(name, {
    wrapper: ['valgrind', '--tool=callgrind', `--callgrind-out-file=${outFile}`],
    nodeFlags: CALLGRIND_NODE_FLAGS,
    startMs: 120_000,
  });
  const control = (command) => {
    const result = spawnSync('callgrind_control', [command, String(server.child.pid)], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`callgrind_control ${command}: ${result.stderr}`);
  };
  const window = async (count, dump) => {
    control('--zero');
    await sendRequests(server.port, count);
    control('--dump');
    const text = readFileSync(`${outFile}.${dump}`, 'utf8');
    return Number(/^summary: (\d+)/m.exec(text)?.[1]);
  };
  try {
    await sendRequests(server.port, OVERHEAD_WARMUP);
    const single = await window(OVERHEAD_REQUESTS, 1);
    const double = await window(2 * OVERHEAD_REQUESTS, 2);
    return { instructions: (double - single) / OVERHEAD_REQUESTS };
  } finally {
    server.child.kill('SIGKILL');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const overheadTest = { variants: ['bare', 'lameduck'], run: instructionsPerRequest };

function printOverhead(samples) {
  const { bare, lameduck } = Object.fromEntries(
    [...samples.get(overheadTest)].map(([name, results]) => [name, results.map((r) => r.instructions)]),
  );
  // Ratios pair the two servers sample by sample, as they ran one after the other.
  const ratios = lameduck.map((value, i) => value / bare[i]);
  const count = (value) => Math.round(value).toLocaleString('en');
  console.log(
    `\nPer-request overhead: CPU instructions per request (callgrind, node ${CALLGRIND_NODE_FLAGS.join(' ')}), ${OVERHEAD_WARMUP} warm-up requests, then windows of ${OVERHEAD_REQUESTS.toLocaleString('en')} and ${(2 * OVERHEAD_REQUESTS).toLocaleString('en')} sequential keep-alive requests, differenced; ${SAMPLES} samples, min / median / max\n`,
  );
  console.log('| server | instructions per request | lameduck / bare |');
  console.log('|---|---:|---:|');
  console.log(`| bare http.Server | ${spread(bare, count)} | |`);
  console.log(`| with lameduck | ${spread(lameduck, count)} | ${spread(ratios, (r) => r.toFixed(3))} |`);
}

const tests = [
  ...(runs('drain') ? [drainTest] : []),
  ...(runs('idle') ? idleTests : []),
  ...(runs('overhead') && haveValgrind() ? [overheadTest] : []),
];

/**
 * The one sampling loop: every test on every variant, SAMPLES times. Round-robin, so a slow spell
 * of the shared machine falls on all variants alike rather than on one.
 */
async function sampleAll() {
  const samples = new Map(tests.map((test) => [test, new Map(test.variants.map((name) => [name, []]))]));
  for (let round = 1; round <= SAMPLES; round++) {
    process.stderr.write(`sample ${round}/${SAMPLES}\n`);
    for (const test of tests) {
      for (const name of test.variants) {
        const results = samples.get(test).get(name);
        results.push(await test.run(name));
      }
    }
  }
  return samples;
}

const samples = await sampleAll();
printTimings(samples);
if (samples.has(overheadTest)) printOverhead(samples);
