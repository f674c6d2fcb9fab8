/** `lameduck collect`: wiring only. */
import type { Command } from 'commander';
import { bundleFiles, writeBundle } from '../collect/bundle.js';
import { kubectlClientVersion } from '../collect/client-version.js';
import { gatherEvidence } from '../collect/gather.js';
import { type ConnectionFlags, connectionOptions, connectWithFlags } from '../flags/connection.js';
import { DEFAULT_FAIL_ON } from '../flags/declare.js';
import { describeLoad, resolveLoadFlags } from '../flags/load.js';
import { durationFlag } from '../flags/values.js';
import { parseWorkloadRef } from '../kube/workload-ref.js';
import { EXIT, UsageError } from '../output/errors.js';
import type { Io } from '../output/io.js';
import type { Report } from '../report/build.js';
import { verifyReport } from '../verify/report.js';
import { Verify, type VerifyRun } from '../verify/run.js';
import { VERSION } from '../version.js';
import { whileRehearsing } from './shared.js';

interface CollectFlags extends ConnectionFlags {
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
  connectionOptions(command)
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
      const api = await connectWithFlags(flags, { ...process.env, ...io.env });
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
      await writeBundle(
        flags.output,
        bundleFiles({ evidence, clientVersion: VERSION, kubectlVersion, verify }),
      );
      io.stdout.write(`lameduck collect: wrote ${flags.output} (start with SUMMARY.md)\n`);
      setExit(EXIT.ok);
    });
}
