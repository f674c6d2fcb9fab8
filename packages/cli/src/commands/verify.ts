/** `lameduck verify`: wiring only. */
import type { Command } from 'commander';
import { type ConnectionFlags, connectionOptions, connectWithFlags } from '../flags/connection.js';
import { loadOptions, reportOptions } from '../flags/declare.js';
import { describeLoad, type LoadFlags, resolveLoadFlags } from '../flags/load.js';
import { durationFlag } from '../flags/values.js';
import { parseWorkloadRef, refName } from '../kube/workload-ref.js';
import { docsUrl } from '../links.js';
import { EXIT, UsageError } from '../output/errors.js';
import type { Io } from '../output/io.js';
import { verifyReport } from '../verify/report.js';
import { Verify } from '../verify/run.js';
import { type ReportFlags, whileRehearsing, writeReport } from './shared.js';

interface VerifyFlags extends LoadFlags, ReportFlags, ConnectionFlags {
  readonly url?: string;
  readonly duration?: string;
  readonly baseline: string;
  readonly tail: string;
  readonly rolloutTimeout: string;
  readonly dryRun?: boolean;
  readonly progress: boolean;
}

export function registerVerify(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('verify')
    .description('rehearse a rolling restart on a real cluster under HTTP load, and report what was lost')
    .argument('<workload>', 'deployment/NAME, statefulset/NAME, daemonset/NAME or rollout/NAME');
  connectionOptions(command)
    .option('--url <url>', 'where the load goes: the URL users reach the workload at')
    .option('--duration <duration>', 'load runs at least this long in total')
    .option('--baseline <duration>', 'load before the restart, ending with a steady second', '10s')
    .option('--tail <duration>', 'load after the rollout completes', '10s')
    .option('--rollout-timeout <duration>', 'give up when the rollout takes longer', '10m')
    .option('--dry-run', 'check access and show the restart patch; change nothing, send no load');
  reportOptions(loadOptions(command))
    .addHelpText(
      'after',
      `
Examples:
  lameduck verify deployment/web -n shop --url https://shop.example.com/healthz --report verify.html
  lameduck verify deployment/web --dry-run

The only write is the restart annotation kubectl rollout restart sets. Ctrl-C stops the load and
leaves the cluster as it is. The Role it needs: ${docsUrl('verify.md', 'rbac')}
Exit codes: 0 pass, 1 a --fail-on threshold was crossed, 2 usage, access or cluster error.`,
    )
    .action(async (workload: string, flags: VerifyFlags) => {
      const ref = parseWorkloadRef(workload);
      const load = resolveLoadFlags(flags);
      let url: URL | undefined;
      if (flags.url !== undefined) {
        try {
          url = new URL(flags.url);
        } catch {
          throw new UsageError(`--url must be an absolute http(s) URL, not "${flags.url}"`);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:')
          throw new UsageError(`--url must be http or https, not "${url.protocol}"`);
      } else if (!flags.dryRun) {
        throw new UsageError('give --url: the address the load goes to (or --dry-run to only check access)');
      }
      const api = await connectWithFlags(flags, { ...process.env, ...io.env });
      const verify = new Verify({
        api,
        ref,
        namespace: api.namespace,
        url: url ?? new URL('http://dry-run.invalid/'),
        model: load.model,
        keepAlive: load.keepAlive,
        method: load.method,
        ...(load.body === undefined ? {} : { body: load.body }),
        timeoutMs: load.timeoutMs,
        durationMs: flags.duration === undefined ? 0 : durationFlag('duration', flags.duration),
        baselineMs: durationFlag('baseline', flags.baseline),
        tailMs: durationFlag('tail', flags.tail),
        rolloutTimeoutMs: durationFlag('rollout-timeout', flags.rolloutTimeout),
      });
      const target = await verify.prepare();
      const name = refName(ref);
      if (flags.dryRun) {
        await verify.dryRun(target);
        io.stdout.write(
          `lameduck verify: dry run: would patch ${name} in namespace ${api.namespace} on ${api.server}\n` +
            `  ${target.patch.description}  (${target.patch.contentType})\n` +
            `  Services selecting its pods: ${target.services.join(', ') || 'none'}\n` +
            '  the API server accepted the patch as a dry run: the permissions are in place\n',
        );
        return;
      }
      const run = await whileRehearsing(
        verify,
        {
          io,
          progress: flags.progress,
          interrupted: 'lameduck verify: interrupted; load stopped, the cluster is left as it is',
        },
        () => verify.run(target),
      );
      const report = verifyReport(
        run.recording,
        {
          target,
          workload: `${name} (${api.namespace})`,
          url: (url as URL).href,
          load: describeLoad(load.model, load.method, (url as URL).href),
          keepAlive: load.keepAlive,
        },
        load.failOn,
      );
      await writeReport(report, flags, io, 'verify');
      setExit(report.verdict === 'pass' ? EXIT.ok : EXIT.findings);
    });
}
