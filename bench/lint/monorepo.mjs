#!/usr/bin/env node
// bench/lint monorepo: a repository of 69 kustomizations (23 apps, a base and two overlays each),
// side by side in one run: what lint did before #15 (`kubectl kustomize` on every directory, one
// at a time), kustomize alone, and `lameduck lint` now (the overlays only, on every core).
//   node bench/lint/monorepo.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { kustomizeRenderer, readKustomizations } from '../../packages/cli/dist/manifests/kustomize.js';
import { findTool } from '../../packages/cli/dist/manifests/tools.js';
import { kustomizeRepository } from './generate.mjs';

const bin = fileURLToPath(new URL('../../packages/cli/bin/lameduck.js', import.meta.url));
const dir = mkdtempSync(`${tmpdir()}/lameduck-bench-monorepo-`);
const directories = kustomizeRepository(dir);
const kustomize = kustomizeRenderer();
const kubectl = findTool('kubectl');
if (kustomize?.tool !== 'kustomize') {
  console.log('no kustomize on PATH or in the tool cache: run scripts/tools/build.sh kustomize');
  process.exit(0);
}

const timed = (work) => {
  const started = performance.now();
  work();
  return performance.now() - started;
};
/** Each directory rendered by its own process, one after another, as lint did before. */
const oneAtATime = (command, args) =>
  timed(() => {
    for (const directory of directories) {
      const run = spawnSync(command, [...args, directory], { cwd: dir, stdio: 'ignore' });
      if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} ${directory} failed`);
    }
  });
async function lameduckRenders(concurrency) {
  const files = directories.map((d) => `${dir}/${d}/kustomization.yaml`);
  const started = performance.now();
  const read = await readKustomizations(files, { allowRemote: false, renderer: kustomize, concurrency });
  if (read.errors.length > 0) throw new Error(read.errors[0].format());
  return performance.now() - started;
}
/** `lameduck lint .` from process start to exit; `env` picks the renderer. */
const endToEnd = (env = {}) =>
  timed(() => {
    const run = spawnSync(process.execPath, [bin, 'lint', '.', '--format', 'json'], {
      cwd: dir,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 1) throw new Error(`lameduck lint exited ${run.status}: ${run.stderr}`);
  });

const cores = availableParallelism();
const before = kubectl ? oneAtATime(kubectl, ['kustomize']) : undefined;
const kustomizeAlone = oneAtATime(kustomize.path, ['build']);
const single = await lameduckRenders(1);
const parallel = await lameduckRenders(cores);
const after = endToEnd();
// kubectl as the renderer: no kustomize on PATH and an empty tool cache.
const withKubectl = kubectl
  ? endToEnd({ PATH: fileURLToPath(new URL('.', `file://${kubectl}`)), LAMEDUCK_CACHE: dir })
  : undefined;
const s = (ms) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
console.log(
  `| ${directories.length} kustomizations | before: \`kubectl kustomize\` on each, one at a time | \`kustomize build\` on each, one at a time | lameduck's renders, 1 at a time | lameduck's renders, ${cores} cores | \`lameduck lint\` end to end | end to end, kubectl as renderer | before / now |`,
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
console.log(
  `| 23 bases, 46 overlays | ${s(before)} | ${s(kustomizeAlone)} | ${s(single)} | ${s(parallel)} | ${s(after)} | ${s(withKubectl)} | ${before ? `${(before / after).toFixed(1)}x` : 'n/a'} |`,
);
rmSync(dir, { recursive: true, force: true });
