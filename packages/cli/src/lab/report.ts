/**
 * A lab run as the shared report, beside verify's (verify/report.ts): what was rehearsed, how, and
 * under which PID 1 rules, then the recording. Pure.
 */
import { describeLoad } from '../flags/load.js';
import { describeHook, preStopSleepSeconds } from '../model/prestop.js';
import type { Recording } from '../recording/records.js';
import { buildReport, type Report } from '../report/build.js';
import type { ResolvedLabFlags } from './options.js';
import type { Isolation } from './process.js';
import type { LabSpec } from './spec.js';

const PID1_LABELS: Record<Isolation, string> = {
  'pid-namespace': 'each replica is PID 1 of its own PID namespace',
  emulated: 'PID 1 signal rules emulated (no user namespaces here)',
  none: 'shareProcessNamespace: the app is not PID 1',
};

export interface LabSetup {
  readonly spec: LabSpec;
  readonly flags: ResolvedLabFlags;
  /** The command after --, which each replica runs. */
  readonly command: readonly string[];
  readonly isolation: Isolation;
}

export function labReport(recording: Recording, { spec, flags, command, isolation }: LabSetup): Report {
  return buildReport(
    recording,
    {
      source: 'lab',
      workload: spec.name,
      scenario:
        flags.scenario === 'rollout'
          ? `${flags.restarts} rolling restart${flags.restarts > 1 ? 's' : ''}`
          : flags.scenario,
      replicas: spec.replicas,
      graceSeconds: spec.graceSeconds,
      preStop: describeHook(spec.preStop),
      preStopSeconds: preStopSleepSeconds(spec.preStop),
      planes: flags.planes,
      propagation: flags.propagationText,
      load: describeLoad(flags.model, flags.method, flags.path),
      keepAlive: flags.keepAlive,
      pid1: PID1_LABELS[isolation],
      command: `each replica runs: ${command.join(' ')}${spec.manifestCommand ? ` (the command after --, in place of the manifest's ${JSON.stringify(spec.manifestCommand)})` : ''}`,
    },
    flags.failOn,
  );
}
