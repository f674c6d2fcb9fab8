/** `lameduck collect`: wiring only. */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { create as createTar } from 'tar';
import { stringify } from 'yaml';
import { kubectlClientVersion } from '../collect/client-version.js';
import { gatherEvidence } from '../collect/gather.js';
import { renderSummary } from '../collect/summary.js';
import { DEFAULT_FAIL_ON } from '../flags/declare.js';
import { describeLoad, resolveLoadFlags } from '../flags/load.js';
import { durationFlag } from '../flags/values.js';
import { parseWorkloadRef } from '../kube/workload-ref.js';
import { EXIT, UsageError } from '../output/errors.js';
import type { Io } from '../output/io.js';
import type { Report } from '../report/build.js';
import { reportJson } from '../report/json.js';
import { verifyReport } from '../verify/report.js';
import { Verify, type VerifyRun } from '../verify/run.js';
import { VERSION } from '../version.js';
import { lintFiles } from './lint.js';
import { whileRehearsing } from './shared.js';
import { type ClusterFlags, clusterConnection, clusterOptions } from './verify.js';

interface CollectFlags extends ClusterFlags {
  readonly output: string;
  readonly withRestart?: boolean;
  readonly url?: string;
  readonly rate: string;
  readonly baseline: string;
  readonly tail: string;
  readonly rolloutTimeout: string;
}

export function registerCollect(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('collect')
    .description("gather the evidence bundle for escalating a termination problem (the guide's checklist)")
    .argument('<workload>', 'deployment/NAME, statefulset/NAME, daemonset/NAME or rollout/NAME');
  clusterOptions(command)
    .option('-o, --output <file>', 'the bundle to write', 'lameduck-evidence.tar.gz')
    .option('--with-restart', 'also run verify: a rolling restart under load, with the EndpointSlice watch')
    .option('--url <url>', 'with --with-restart: where the load goes')
    .option('--rate <r/s>', 'with --with-restart: requests per second', '50/s')
    .option('--baseline <duration>', 'with --with-restart: load before the restart', '10s')
    .option('--tail <duration>', 'with --with-restart: load after the rollout', '10s')
    .option('--rollout-timeout <duration>', 'with --with-restart: give up after', '10m')
    .addHelpText(
      'after',
      `
Examples:
  lameduck collect deployment/web -n shop -o web-evidence.tar.gz
  lameduck collect deployment/web -n shop --with-restart --url https://shop.example.com/

The bundle holds SUMMARY.md (read it first) and the raw JSON. Secrets are never read; environment
values, tokens and certificates are redacted. Exit codes: 0 written, 2 usage, access or cluster error.`,
    )
    .action(async (workload: string, flags: CollectFlags) => {
      const ref = parseWorkloadRef(workload);
      if (flags.withRestart && flags.url === undefined)
        throw new UsageError('--with-restart runs a rolling restart under load: give --url too');
      const api = await clusterConnection(flags, io);
      const evidence = await gatherEvidence(api, ref, api.namespace);
      io.stderr.write(
        `lameduck collect: read ${evidence.workloadName} and ${evidence.pods.length} pods from ${api.server}\n`,
      );

      let verify: { run: VerifyRun; report: Report } | undefined;
      if (flags.withRestart) {
        const load = resolveLoadFlags({
          rate: flags.rate,
          keepalive: 'on',
          method: 'GET',
          timeout: '10s',
          failOn: DEFAULT_FAIL_ON,
        });
        const url = new URL(flags.url as string);
        const verifier = new Verify({
          api,
          ref,
          namespace: api.namespace,
          url,
          model: load.model,
          keepAlive: true,
          method: 'GET',
          timeoutMs: load.timeoutMs,
          durationMs: 0,
          baselineMs: durationFlag('baseline', flags.baseline),
          tailMs: durationFlag('tail', flags.tail),
          rolloutTimeoutMs: durationFlag('rollout-timeout', flags.rolloutTimeout),
        });
        io.stderr.write('lameduck collect: rolling restart under load (verify)\n');
        const target = await verifier.prepare();
        const run = await whileRehearsing(
          verifier,
          {
            io,
            progress: true,
            interrupted:
              'lameduck collect: interrupted; load stopped, the cluster is left as it is, no bundle written',
          },
          () => verifier.run(target),
        );
        const report = verifyReport(
          run.recording,
          {
            target,
            workload: `${evidence.workloadName} (${api.namespace})`,
            url: url.href,
            load: describeLoad(load.model, 'GET', url.href),
            keepAlive: true,
          },
          load.failOn,
        );
        verify = { run, report };
      }

      const kubectlVersion = kubectlClientVersion({ ...process.env, ...io.env });
      const dir = await mkdtemp(join(tmpdir(), 'lameduck-collect-'));
      try {
        const written: string[] = [];
        const put = async (name: string, text: string) => {
          await writeFile(join(dir, name), text);
          written.push(name);
        };
        const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
        await put(
          'evidence.json',
          json({
            ...evidence,
            client: { lameduck: VERSION, kubectl: kubectlVersion ?? null },
            objects: undefined,
          }),
        );
        await put(
          'objects.yaml',
          [evidence.objects.workload, ...evidence.objects.services]
            .map((object) => stringify(object, { lineWidth: 0 }))
            .join('---\n'),
        );
        await put('endpointslices.json', json(evidence.objects.endpointSlices));
        if (verify) {
          await put('verify.json', json(reportJson(verify.report, { records: true })));
          await put('endpointslice-watch.json', json(verify.run.sliceChanges));
        }
        const quiet = { ...io, stderr: { write: () => true } };
        const lint = await lintFiles(
          [join(dir, 'objects.yaml')],
          kubeVersionFlag(evidence.server.gitVersion),
          quiet,
        );
        const findings = lint.findings.map((f) => ({ ...f, file: 'objects.yaml' }));
        await put('lint.json', json(findings));
        const names = ['SUMMARY.md', ...written.sort()];
        await writeFile(
          join(dir, 'SUMMARY.md'),
          renderSummary({
            evidence,
            clientVersion: VERSION,
            kubectlVersion,
            findings,
            verify: verify?.report,
            files: names,
          }),
        );
        // Written beside the target, then renamed: never a half-written bundle.
        const temporary = `${flags.output}.lameduck-${process.pid}.tmp`;
        await createTar({ gzip: true, file: temporary, cwd: dir, portable: true }, names);
        await rename(temporary, flags.output);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      io.stdout.write(`lameduck collect: wrote ${flags.output} (start with SUMMARY.md)\n`);
      setExit(EXIT.ok);
    });
}

/** "v1.31.2-eks-1234" → --kube-version 1.31: lint judges the live objects by the live cluster. */
function kubeVersionFlag(gitVersion: string | undefined): { kubeVersion?: string } {
  const match = gitVersion ? /^v?(\d+)\.(\d+)/.exec(gitVersion) : null;
  return match ? { kubeVersion: `${match[1]}.${match[2]}` } : {};
}
