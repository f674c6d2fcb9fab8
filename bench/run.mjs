#!/usr/bin/env node
// Runs every benchmark under bench/<name>/index.mjs, side by side in one process each.
//   node bench/run.mjs [name ...] [--flag ...]   names pick suites; flags (--quick, ...) go to each
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const suites = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, 'index.mjs')))
  .map((entry) => entry.name);
const args = process.argv.slice(2);
const flagStart = args.findIndex((arg) => arg.startsWith('--'));
const wanted = flagStart === -1 ? args : args.slice(0, flagStart);
const flags = flagStart === -1 ? [] : args.slice(flagStart);
const chosen = wanted.length ? suites.filter((s) => wanted.includes(s)) : suites;
if (chosen.length === 0) {
  console.log(
    `no benchmarks${wanted.length ? ` named ${wanted.join(', ')}` : ' yet'}: add bench/<name>/index.mjs`,
  );
  process.exit(0);
}
let failed = false;
for (const suite of chosen) {
  console.log(`\n== bench/${suite}`);
  const result = spawnSync(process.execPath, [join(here, suite, 'index.mjs'), ...flags], {
    stdio: 'inherit',
  });
  failed ||= result.status !== 0;
}
process.exit(failed ? 1 : 0);
