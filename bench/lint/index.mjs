#!/usr/bin/env node
// bench/lint: lint against parse-only with the same YAML library, side by side in one run.
//   node bench/lint/index.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { workloads } from './generate.mjs';

const quick = process.argv.includes('--quick');
const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(`${tmpdir()}/lameduck-bench-lint-`);
const inputs = [
  { name: '10,000 workloads', file: `${dir}/workloads.yaml`, count: 10_000 },
  ...(quick ? [] : [{ name: '50 MB file', file: `${dir}/large.yaml`, count: 0 }]),
];
writeFileSync(inputs[0].file, workloads(10_000));
if (!quick) {
  // Grow to 50 MB with the same realistic documents.
  const one = workloads(1);
  const copies = Math.ceil((50 * 1024 * 1024) / one.length);
  writeFileSync(inputs[1].file, workloads(copies));
}

function measure(mode, file) {
  const out = execFileSync(
    process.execPath,
    ['--max-old-space-size=8192', `${here}measure.mjs`, mode, file],
    { encoding: 'utf8' },
  );
  return JSON.parse(out);
}

console.log(
  '| input | size | documents | parse only | lint | lint / parse | objects/s (lint) | peak RSS parse / lint | findings |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const input of inputs) {
  const parse = measure('parse', input.file);
  const lint = measure('lint', input.file);
  const mb = (statSync(input.file).size / 1024 / 1024).toFixed(1);
  console.log(
    `| ${input.name} | ${mb} MB | ${parse.documents} | ${Math.round(parse.ms)} ms | ${Math.round(lint.ms)} ms | ${(lint.ms / parse.ms).toFixed(2)}x | ${Math.round(lint.documents / (lint.ms / 1000))} | ${Math.round(parse.maxRssMb)} / ${Math.round(lint.maxRssMb)} MB | ${lint.findings} |`,
  );
}
