/** `lameduck lab`: wiring only. */
import { type Command, Option } from 'commander';
import { clusterOptions, loadOptions, type OutputFormat, reportOptions } from '../flags/declare.js';
import { type LabFlags, resolveLabFlags } from '../lab/options.js';
import { labReport } from '../lab/report.js';
import { Lab, LabError } from '../lab/run.js';
import { specFromFlags, specFromObjects } from '../lab/spec.js';
import { loadManifests } from '../manifests/load.js';
import { EXIT, UsageError } from '../output/errors.js';
import type { Io } from '../output/io.js';
import { whileRehearsing, writeReport } from './shared.js';

interface LabCommandFlags extends LabFlags {
  readonly filename?: string;
  readonly container?: string;
  readonly kubeVersion?: string;
  readonly report?: string;
  readonly format: OutputFormat;
  readonly records?: boolean;
  readonly progress: boolean;
}

export function registerLab(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('lab')
    .description('rehearse rolling restarts locally under real HTTP load, with no cluster')
    .argument('[command...]', 'after --: the command that starts one replica (it must listen on $PORT)')
    .option(
      '-f, --filename <path>',
      'manifest with the workload (preStop, grace, probes, strategy, replicas, ports, env)',
    )
    .option('--container <name>', 'the container to rehearse (default: the first)')
    .option('--replicas <n>', "replicas (default: the manifest's, else 3)")
    .option('--restarts <n>', 'rolling restarts to perform one after another', '1')
    .addOption(
      new Option('--scenario <kind>', 'rollout | evict (delete one pod) | scale-in').default('rollout'),
    )
    .option('--duration <duration>', 'load runs at least this long', '30s')
    .option('--path <path>', 'request path', '/')
    .option('--data-plane <plane>', 'kube-proxy | ingress | both', 'both')
    .option('--propagation <range>', 'endpoint propagation delay per node, e.g. 1s..4s (default)')
    .option('--prestop <duration>', 'without -f: a native preStop sleep')
    .option('--grace <seconds>', 'without -f: terminationGracePeriodSeconds (default: 30)')
    .option('--readiness-path <path>', 'without -f: an httpGet readiness probe on this path, every 1 s')
    .option('--port <port>', 'without -f: the containerPort', '8080')
    .option('--seed <n>', 'seed for propagation delays and routing choices, to repeat a run')
    .option('--ready-timeout <duration>', 'how long a replica may take to become ready', '60s')
    .option(
      '--upstream-keepalive <duration>',
      "how long the ingress keeps an idle upstream connection (ingress-nginx's upstream-keepalive-timeout)",
      '60s',
    );
  reportOptions(loadOptions(clusterOptions(command)))
    .addHelpText(
      'after',
      `
Examples:
  lameduck lab -f deploy.yaml -- node server.js
  lameduck lab --replicas 3 --prestop 5s --readiness-path /healthz -- node server.js
  lameduck lab -f deploy.yaml --data-plane ingress --method POST --report lab.html -- ./start.sh

Each replica gets PORT (and PORT_<NAME> for named ports), POD_NAME and HOSTNAME.
Exit codes: 0 pass, 1 a --fail-on threshold was crossed, 2 usage or input error.`,
    )
    .action(async (command: string[], flags: LabCommandFlags) => {
      if (command.length === 0) {
        throw new UsageError(
          'give the command that starts one replica after --, e.g. lameduck lab -f deploy.yaml -- node server.js',
        );
      }
      const resolved = resolveLabFlags(flags);
      const { kubeVersion } = resolved;
      let spec = specFromFlags({
        replicas: resolved.replicas ?? 3,
        graceSeconds: resolved.graceSeconds,
        preStopSeconds: resolved.preStopSeconds,
        readinessPath: resolved.readinessPath,
        port: resolved.port,
      });
      if (flags.filename !== undefined) {
        const loaded = await loadManifests([flags.filename], () => io.readStdin());
        const [error] = loaded.errors;
        if (error) {
          io.stderr.write(`lameduck lab: ${error.format()}\n`);
          setExit(EXIT.usage);
          return;
        }
        const result = specFromObjects(
          loaded.objects.map((o) => o.value),
          { kubeVersion, container: flags.container, replicas: resolved.replicas },
        );
        if (!result.ok) {
          io.stderr.write(`lameduck lab: ${flags.filename}: ${result.problem}\n`);
          setExit(EXIT.usage);
          return;
        }
        spec = result.spec;
      }
      for (const note of spec.notes) io.stderr.write(`lameduck lab: note: ${note}\n`);

      // The replicas get the user's shell environment, as the command would on its own.
      const lab = new Lab({
        ...resolved,
        spec,
        command,
        cwd: process.cwd(),
        env: { ...process.env, ...io.env },
      });
      let run: Awaited<ReturnType<Lab['run']>>;
      try {
        run = await whileRehearsing(
          lab,
          { io, progress: flags.progress, interrupted: 'lameduck lab: interrupted; stopping every replica' },
          () => lab.run(),
        );
      } catch (error) {
        if (!(error instanceof LabError)) throw error;
        io.stderr.write(
          `lameduck lab: ${error.message}\n${error.detail.map((line) => `  ${line}\n`).join('')}`,
        );
        setExit(EXIT.usage);
        return;
      }
      const report = labReport(run.recording, {
        spec,
        flags: resolved,
        command,
        isolation: lab.isolation,
      });
      await writeReport(report, flags, io, 'lab');
      setExit(report.verdict === 'pass' ? EXIT.ok : EXIT.findings);
    });
}
