#!/usr/bin/env node
// Runs every package's compiled tests in one node:test run, so there is one summary at the end.
// (Node 20's --test takes file names, not globs: this script does the globbing.)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(directory) {
  return readdirSync(directory).flatMap((name) => {
    const full = join(directory, name);
    if (statSync(full).isDirectory()) return testFiles(full);
    return name.endsWith('.test.js') ? [full] : [];
  });
}

const files = readdirSync('packages').flatMap((name) => {
  const dist = join('packages', name, 'dist');
  try {
    return testFiles(dist);
  } catch {
    return [];
  }
});
if (files.length === 0) {
  console.error('run-tests: no compiled tests found under packages/*/dist; run npm run build first');
  process.exit(1);
}
const filter = process.argv.slice(2);
const chosen = filter.length ? files.filter((f) => filter.some((part) => f.includes(part))) : files;
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...chosen], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
