#!/usr/bin/env node
// Runs every package's compiled tests in one node:test run, so there is one summary at the end.
// (Node 20's --test takes file names, not globs: this script does the globbing.)
//
//   node scripts/run-tests.mjs [substring...]        only the test files whose path contains one
//   node scripts/run-tests.mjs --cluster [substring...]   the *.cluster-test.js files instead, one file at a
//                                                     time, against the cluster of npm run cluster:up
//   LAMEDUCK_TEST_ROOT=dir                            look for *.test.js under dir instead of packages/*/dist
//   LAMEDUCK_TEST_FILE_LIMIT=seconds                  the hard limit per test file (default 300)
//
// Every test file gets a hard time limit: node:test runs each file in its own process, and
// --test-timeout bounds that file as a whole, so a file whose tests pass but whose process never
// exits (a handle left open, a spin in an exit handler) is killed and reported as
// "test timed out" under its own name instead of hanging the run.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const cluster = process.argv[2] === '--cluster';
const DEFAULT_FILE_LIMIT_SECONDS = cluster ? 1800 : 300;
const suffixes = cluster ? ['.cluster-test.js'] : ['.test.js', '.test.mjs'];

function testFiles(directory) {
  return readdirSync(directory).flatMap((name) => {
    const full = join(directory, name);
    if (statSync(full).isDirectory()) return testFiles(full);
    return suffixes.some((suffix) => name.endsWith(suffix)) ? [full] : [];
  });
}

function compiledTestFiles() {
  return readdirSync('packages').flatMap((name) => {
    const dist = join('packages', name, 'dist');
    try {
      return testFiles(dist);
    } catch {
      return [];
    }
  });
}

const root = process.env.LAMEDUCK_TEST_ROOT;
const files = root ? testFiles(root) : compiledTestFiles();
if (files.length === 0) {
  console.error('run-tests: no compiled tests found under packages/*/dist; run npm run build first');
  process.exit(1);
}
const limitSeconds = Number(process.env.LAMEDUCK_TEST_FILE_LIMIT ?? DEFAULT_FILE_LIMIT_SECONDS);
if (!Number.isFinite(limitSeconds) || limitSeconds <= 0) {
  console.error(
    `run-tests: LAMEDUCK_TEST_FILE_LIMIT must be seconds above 0, not "${process.env.LAMEDUCK_TEST_FILE_LIMIT}"`,
  );
  process.exit(2);
}
const filter = process.argv.slice(cluster ? 3 : 2);
const chosen = filter.length ? files.filter((f) => filter.some((part) => f.includes(part))) : files;
const result = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-reporter=spec',
    `--test-timeout=${Math.round(limitSeconds * 1000)}`,
    // The cluster is one machine's worth of kubelet: its tests take turns.
    ...(cluster ? ['--test-concurrency=1'] : []),
    ...chosen,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
