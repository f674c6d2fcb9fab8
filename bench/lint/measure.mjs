// One measurement in its own process, so peak memory is its own:
//   node measure.mjs parse <file>            the YAML library alone, the floor
//   node measure.mjs lint <file> [threads]   load and lint, as `lameduck lint` does
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { lintObjects } from '../../packages/cli/dist/lint/engine.js';
import { RULES } from '../../packages/cli/dist/lint/registry.js';
import { loadManifests } from '../../packages/cli/dist/manifests/load.js';
import { DEFAULT_KUBE_VERSION } from '../../packages/cli/dist/model/kube-version.js';

const [mode, file, threads] = process.argv.slice(2);
const started = performance.now();
let documents = 0;
let findings = 0;
if (mode === 'parse') {
  // The floor: the same YAML library, parse and convert to plain objects, nothing else.
  const docs = parseAllDocuments(await readFile(file, 'utf8'));
  for (const doc of docs) doc.toJS();
  documents = docs.length;
} else {
  const parse = threads ? { threads: Number(threads) } : {};
  const loaded = await loadManifests([file], async () => '', [], parse);
  documents = loaded.objects.length;
  findings = lintObjects(loaded.objects, RULES, {
    kubeVersion: DEFAULT_KUBE_VERSION,
    profile: 'medium',
    bufferSeconds: 10,
  }).length;
}
const ms = performance.now() - started;
process.stdout.write(
  JSON.stringify({ ms, documents, findings, maxRssMb: process.resourceUsage().maxRSS / 1024 }),
);
