#!/usr/bin/env node
// bench/lint: lint against parse-only with the same YAML library, side by side in one run:
// on one thread (the same footing as the parse), on every core (as `lameduck lint` runs), and
// the real command end to end (process start, config, output); then a monorepo of
// kustomizations (monorepo.mjs).
//   node bench/lint/index.mjs [--quick]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { workloads } from './generate.mjs';

const quick = process.argv.includes('--quick');
const here = fileURLToPath(new URL('.', import.meta.url));
const bin = fileURLToPath(new URL('../../packages/cli/bin/lameduck.js', import.meta.url));
const dir = mkdtempSync(`${tmpdir()}/lameduck-bench-lint-`);
const inputs = [
  { name: '10,000 workloads', file: `${dir}/workloads.yaml` },
  ...(quick ? [] : [{ name: '50 MB file', file: `${dir}/large.yaml` }]),
];
writeFileSync(inputs[0].file, workloads(10_000));
if (!quick) {
  // Grow to 50 MB with the same realistic documents.
  const one = workloads(1);
  writeFileSync(inputs[1].file, workloads(Math.ceil((50 * 1024 * 1024) / one.length)));
}

function measure(...args) {
  const out = execFileSync(process.execPath, ['--max-old-space-size=8192', `${here}measure.mjs`, ...args], {
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

/** `lameduck lint <file> --format json`, wall clock from process start to exit. */
function endToEnd(file) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [bin, 'lint', file, '--format', 'json'], {
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (run.status !== 1) throw new Error(`lameduck lint exited ${run.status}: ${run.stderr}`);
  return performance.now() - started;
}

const cores = availableParallelism();
const ms = (value) => `${Math.round(value).toLocaleString('en')} ms`;
console.log(
  `| input | size | documents | parse only | lint, 1 thread | lint / parse | lint, ${cores} cores | \`lameduck lint\` end to end | objects/s | peak RSS parse / lint | findings |`,
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const input of inputs) {
  const parse = measure('parse', input.file);
  const single = measure('lint', input.file, '1');
  const lint = measure('lint', input.file);
  const total = endToEnd(input.file);
  const mb = (statSync(input.file).size / 1024 / 1024).toFixed(1);
  console.log(
    `| ${input.name} | ${mb} MB | ${parse.documents.toLocaleString('en')} | ${ms(parse.ms)} | ${ms(single.ms)} | ${(single.ms / parse.ms).toFixed(2)}x | ${ms(lint.ms)} | ${ms(total)} | ${Math.round(lint.documents / (lint.ms / 1000)).toLocaleString('en')} | ${Math.round(parse.maxRssMb)} / ${Math.round(lint.maxRssMb)} MB | ${lint.findings.toLocaleString('en')} |`,
  );
}
rmSync(dir, { recursive: true, force: true });
spawnSync(process.execPath, [`${here}monorepo.mjs`], { stdio: 'inherit' });
