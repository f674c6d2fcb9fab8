/**
 * The evidence bundle: every file it holds, made in memory (the live objects are linted as they
 * were read, never written out and read back), then written as one .tar.gz that appears whole or
 * not at all.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create as createTar } from 'tar';
import { stringify } from 'yaml';
import { lintManifestText } from '../lint/pipeline.js';
import type { Report } from '../report/build.js';
import { reportJson } from '../report/json.js';
import type { VerifyRun } from '../verify/run.js';
import type { Evidence } from './gather.js';
import { renderSummary } from './summary.js';

export interface BundleInput {
  readonly evidence: Evidence;
  readonly clientVersion: string;
  readonly kubectlVersion: string | undefined;
  readonly verify: { readonly run: VerifyRun; readonly report: Report } | undefined;
}

/** File name to contents, SUMMARY.md first (read it first), the rest by name. */
export function bundleFiles({
  evidence,
  clientVersion,
  kubectlVersion,
  verify,
}: BundleInput): Map<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const objects = [evidence.objects.workload, ...evidence.objects.services]
    .map((object) => stringify(object, { lineWidth: 0 }))
    .join('---\n');
  const lint = lintManifestText('objects.yaml', objects, kubeVersionOf(evidence.server.gitVersion));
  const files = new Map<string, string>([
    [
      'evidence.json',
      json({
        ...evidence,
        client: { lameduck: clientVersion, kubectl: kubectlVersion ?? null },
        objects: undefined,
      }),
    ],
    ['objects.yaml', objects],
    ['endpointslices.json', json(evidence.objects.endpointSlices)],
    ['lint.json', json(lint.findings)],
  ]);
  if (verify) {
    files.set('verify.json', json(reportJson(verify.report, { records: true })));
    files.set('endpointslice-watch.json', json(verify.run.sliceChanges));
  }
  const names = ['SUMMARY.md', ...[...files.keys()].sort()];
  const summary = renderSummary({
    evidence,
    clientVersion,
    kubectlVersion,
    findings: lint.findings,
    verify: verify?.report,
    files: names,
  });
  return new Map([['SUMMARY.md', summary], ...[...files].sort(([a], [b]) => (a < b ? -1 : 1))]);
}

/** "v1.31.2-eks-1234" → 1.31: lint judges the live objects by the live cluster's version. */
function kubeVersionOf(gitVersion: string | undefined): { kubeVersion?: string } {
  const match = gitVersion ? /^v?(\d+)\.(\d+)/.exec(gitVersion) : null;
  return match ? { kubeVersion: `${match[1]}.${match[2]}` } : {};
}

/** Writes the files as a gzipped tar at `output`: beside it first, then renamed over it. */
export async function writeBundle(output: string, files: ReadonlyMap<string, string>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lameduck-collect-'));
  try {
    for (const [name, text] of files) await writeFile(join(dir, name), text);
    const temporary = `${output}.lameduck-${process.pid}.tmp`;
    await createTar({ gzip: true, file: temporary, cwd: dir, portable: true }, [...files.keys()]);
    await rename(temporary, output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
