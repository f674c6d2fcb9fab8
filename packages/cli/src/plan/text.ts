/** The plan for people: the guide's timeline, a verdict, the values to use and the patch. */
import { stringify } from 'yaml';
import { type ContainerAnalysis, DRAIN_ANNOTATION, WORKLOAD_ANNOTATION } from '../model/analyze.js';
import type { TerminationBudget } from '../model/budget.js';
import { formatSeconds } from '../model/duration.js';
import { WORKLOAD_LABELS } from '../model/guide-tables.js';
import { formatKubeVersion } from '../model/kube-version.js';
import type { FrontParty } from '../model/parties.js';
import type { TimelineEvent } from '../model/timeline.js';
import type { Style } from '../output/style.js';
import type { PlanOptions, WorkloadPlan } from './build.js';

const t = formatSeconds;

/**
 * The container's events, with a line per party in front of the pod (main containers only): those
 * that act before deletion first, the others right after it, where Track B starts.
 */
export function renderTimeline(
  events: readonly TimelineEvent[],
  container: ContainerAnalysis,
  parties: readonly FrontParty[] = [],
): string[] {
  const shown = container.container.role === 'main' ? parties : [];
  const [deletion, ...rest] = events.map((e) => [`t=${t(e.at)}`, describeEvent(e, container)] as const);
  const rows = [
    ...shown.filter((p) => p.from < 0).map(partyRow),
    ...(deletion ? [deletion] : []),
    ...shown.filter((p) => p.from >= 0).map(partyRow),
    ...rest,
  ];
  const width = Math.max(...rows.map(([stamp]) => stamp.length)) + 2;
  return rows.map(([stamp, text]) => `${stamp.padEnd(width)}${text}`);
}

/** "t=0-30s the ALB of Ingress web deregisters the pod... (deregistration_delay.timeout_seconds 30)". */
function partyRow(party: FrontParty): readonly [string, string] {
  const { from, until } = party;
  const stamp = until === undefined || until === from ? `t=${t(from)}` : `t=${from}-${t(until)}`;
  return [stamp, `${party.who} ${party.does} (${party.setting})`];
}

function describeEvent(event: TimelineEvent, { container, budget }: ContainerAnalysis): string {
  const subject = container.role === 'sidecar' ? 'sidecar' : 'application';
  switch (event.kind) {
    case 'terminating':
      return 'Pod marked Terminating; endpoint removal starts (Track B)';
    case 'prestop-start':
      return `preStop ${hookName(budget)} begins (Track A)`;
    case 'prestop-end':
      return `preStop ${event.cut ? 'cut off at the grace period' : 'completes'}; waiting for the main containers to exit`;
    case 'sigterm': {
      const sent = sigtermSentLine(event, subject, budget);
      return budget.sigtermLost === undefined
        ? sent
        : `${sent}, but PID 1 (a shell or package manager) swallows it`;
    }
    case 'drain-start':
      return container.role === 'sidecar'
        ? 'Sidecar starts shutting down'
        : 'Application stops accepting connections, starts draining';
    case 'exit':
      return event.killed
        ? `Application would exit here (${t(event.drainSeconds)} drain), but was killed`
        : `Application exits (${t(event.drainSeconds)} drain window)`;
    case 'sigkill': {
      const floor = budget.floorApplied ? " (the kubelet's 2s minimum after SIGTERM)" : '';
      if (!event.reached) return `SIGKILL would fire (never reached if shutdown succeeds)${floor}`;
      if (budget.sigtermLost !== undefined)
        return `SIGKILL fires: the app never saw SIGTERM and is killed with requests in flight (exit code 137)${floor}`;
      if (event.cutSeconds > 0)
        return `SIGKILL fires: drain cut ${t(event.cutSeconds)} before it ends (exit code 137)${floor}`;
      return `SIGKILL fires if the ${subject} is still running${floor}`;
    }
  }
}

function sigtermSentLine(
  event: Extract<TimelineEvent, { kind: 'sigterm' }>,
  subject: string,
  budget: TerminationBudget,
): string {
  if (subject === 'sidecar' && !event.afterPreStop)
    return `Main containers exited; SIGTERM sent to ${subject}`;
  if (!event.afterPreStop) return `No preStop hook; SIGTERM sent to ${subject}`;
  const outcome = budget.preStopEffect.outcome;
  if (outcome === 'fails') return `preStop fails (FailedPreStopHook); SIGTERM sent to ${subject}`;
  if (outcome === 'ignored') return `preStop sleep skipped by the kubelet; SIGTERM sent to ${subject}`;
  if (event.preStopCut) return `preStop cut off at the grace period; SIGTERM sent to ${subject}`;
  return `preStop completes; SIGTERM sent to ${subject}`;
}

function hookName(budget: TerminationBudget): string {
  switch (budget.preStop.kind) {
    case 'sleep':
      return 'sleep';
    case 'exec-sleep':
      return 'exec sleep';
    case 'exec':
      return `exec ${JSON.stringify(budget.preStop.command)}`;
    case 'httpGet':
      return 'httpGet';
    case 'tcpSocket':
      return 'tcpSocket hook';
    default:
      return 'hook';
  }
}

export function verdictLine(budget: TerminationBudget, style: Style): string {
  const { slackSeconds: slack, sigkillAt, minimumGraceSeconds: minimum, graceSeconds } = budget;
  const formula =
    minimum !== undefined
      ? `preStop ${t(budget.preStopEffect.seconds ?? 0)} + drain ${t(budget.drainSeconds ?? 0)} + buffer ${t(budget.bufferSeconds)} = ${t(minimum)}`
      : '';
  switch (budget.verdict) {
    case 'ok':
      return `${style.green('OK')}     the app exits ${t(slack ?? 0)} before SIGKILL (grace ${t(graceSeconds)} >= ${formula})`;
    case 'tight':
      return `${style.yellow('TIGHT')}  the app exits only ${t(slack ?? 0)} before SIGKILL, less than the ${t(budget.bufferSeconds)} buffer: grace ${t(graceSeconds)} < ${formula}`;
    case 'cut':
      return `${style.red('CUT')}    SIGKILL at t=${t(sigkillAt ?? 0)}, ${t(-(slack ?? 0))} before the drain ends: in-flight requests are cut (exit code 137); needs grace >= ${formula}`;
    case 'unreached':
      return `${style.red('KILLED')} SIGTERM never reaches the app, so SIGKILL at t=${t(sigkillAt ?? 0)} ends it with every request in flight (exit code 137); see "command" below`;
    case 'invalid':
      return `${style.red('INVALID')} ${budget.preStopEffect.note ?? 'the preStop hook is rejected by the API server'}`;
    case 'unknown':
      if (budget.sigtermAt === undefined) {
        return `${style.yellow('UNKNOWN')} the preStop hook's duration is unknown: SIGTERM comes when it returns, SIGKILL at t=${t(graceSeconds)} (or 2s after SIGTERM if the hook runs past t=${t(graceSeconds - 2)})`;
      }
      return `${style.yellow('UNKNOWN')} drain time unknown: the app has ${t(budget.drainWindowSeconds ?? 0)} between SIGTERM and SIGKILL; pass --drain or annotate the pod template with ${DRAIN_ANNOTATION}`;
  }
}

function describeBudgetSources(budget: TerminationBudget): string {
  const grace = `grace ${t(budget.graceSeconds)} (${budget.graceSource})`;
  const drain =
    budget.drainSeconds === undefined
      ? 'drain unknown'
      : `drain ${t(budget.drainSeconds)} (${budget.drainSource === 'flag' ? '--drain' : DRAIN_ANNOTATION})`;
  return `${grace} · ${drain}`;
}

export function assumptionsLine(options: PlanOptions): string {
  const cluster =
    options.profileSource === 'nodes'
      ? `${options.profile} cluster (${options.nodes} nodes)`
      : options.profileSource === 'profile'
        ? `${options.profile} cluster`
        : `${options.profile} cluster (assumed; pass --nodes or --profile)`;
  const version = `Kubernetes ${formatKubeVersion(options.kubeVersion)}${options.kubeVersionAssumed ? ' (assumed; pass --kube-version)' : ''}`;
  return `${cluster} · ${version} · buffer ${t(options.bufferSeconds)}`;
}

function describeWorkloadType({ analysis, kind }: WorkloadPlan): string {
  const label = WORKLOAD_LABELS[analysis.workloadType];
  switch (analysis.workloadTypeSource) {
    case 'flag':
      return `${label} workload, from --workload`;
    case 'annotation':
      return `${label} workload, from ${WORKLOAD_ANNOTATION}`;
    case 'kind':
      return `${label} workload, as a ${kind}`;
    case 'default':
      return `${label} workload by default; pass --workload for websocket, batch or stateful`;
  }
}

export function kubectlPatchCommand(plan: WorkloadPlan, file = 'patch.yaml'): string | undefined {
  if (!plan.patch || plan.kind === 'Pod') return undefined;
  const namespace = plan.namespace ? ` -n ${plan.namespace}` : '';
  return `kubectl patch ${plan.kind.toLowerCase()} ${plan.name}${namespace} --type ${plan.patch.type} --patch-file ${file}`;
}

export function renderPlanText(plans: readonly WorkloadPlan[], options: PlanOptions, style: Style): string {
  const out: string[] = [style.dim(assumptionsLine(options)), ''];
  for (const plan of plans) {
    // A workload's lines can number in the hundred thousands (one pod, 10,000 containers): no spread.
    for (const line of renderWorkload(plan, style)) out.push(line);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function renderWorkload(plan: WorkloadPlan, style: Style): string[] {
  const out: string[] = [];
  const ns = plan.namespace ? ` (namespace ${plan.namespace})` : '';
  out.push(style.bold(`${plan.kind} ${plan.name}${ns}`) + style.dim(`  ${plan.file}:${plan.position.line}`));
  for (const container of plan.analysis.containers) {
    const position = plan.containerPositions.get(container.container.name);
    const role = container.container.role === 'sidecar' ? 'sidecar ' : '';
    out.push(
      '',
      `  ${role}container ${style.cyan(container.container.name)}${position ? style.dim(`  line ${position.line}`) : ''} · ${describeBudgetSources(container.budget)}`,
      '',
    );
    out.push(...renderTimeline(container.timeline, container, plan.parties).map((line) => `    ${line}`));
    out.push('', `  ${verdictLine(container.budget, style)}`);
  }
  for (const note of plan.notes) out.push(`  ${style.yellow('note')}   ${note}`);

  out.push('', `  Recommended values (${describeWorkloadType(plan)}):`);
  const labels = plan.recommendations.map((r) => `${r.id}${r.container ? ` (${r.container})` : ''}`);
  const width = labels.reduce((widest, l) => Math.max(widest, l.length), 0);
  plan.recommendations.forEach((r, i) => {
    const action =
      r.action === 'keep'
        ? style.green('keep  ')
        : r.action === 'change'
          ? style.yellow('change')
          : style.cyan('review');
    const value =
      r.action === 'change'
        ? `${r.current} -> ${r.recommended}`
        : r.action === 'review'
          ? `${r.current}; wants ${r.recommended}`
          : r.current;
    out.push(
      `    ${action}  ${(labels[i] as string).padEnd(width)}  ${value}  ${style.dim(`(${r.reason})`)}`,
    );
  });

  if (!plan.patch) {
    out.push('', '  No changes needed.');
    return out;
  }
  if (plan.after) {
    for (const container of plan.after.containers.filter((c) => c.container.role === 'main')) {
      const b = container.budget;
      const outcome =
        b.slackSeconds === undefined
          ? verdictLine(b, style)
          : `the app exits ${t(b.slackSeconds)} before SIGKILL`;
      out.push(
        '',
        `  After the patch, ${container.container.name}: SIGTERM at t=${t(b.sigtermAt ?? 0)}, SIGKILL at t=${t(b.sigkillAt ?? 0)}; ${outcome}`,
      );
    }
  }
  const command = kubectlPatchCommand(plan);
  out.push('', command ? `  Patch (save as patch.yaml, then: ${command}):` : '  Change the manifest to:', '');
  const body = stringify(plan.patch.content, { lineWidth: 0 });
  for (const line of body.trimEnd().split('\n')) out.push(`    ${line}`);
  return out;
}
