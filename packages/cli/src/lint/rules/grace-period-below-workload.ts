import { DEFAULT_GRACE_SECONDS } from '../../model/grace.js';
import { GRACE_BY_WORKLOAD, WORKLOAD_LABELS } from '../../model/guide-tables.js';
import type { RuleMessage } from '../messages.js';
import { DOCS_BASE, loneEndpoint, type Rule, type RuleFinding, servingContainers } from '../rule.js';
import { LONG_PRESTOP_SECONDS } from './grace-period-default-too-low.js';

/**
 * The guide's grace table, only where it adds to the arithmetic rules: those judge a known drain
 * (grace-period-exceeded) and a long preStop in the default grace (grace-period-default-too-low),
 * and prestop-missing a serving pod without a hook. What is left: an explicit grace too short to
 * hold the cluster's preStop plus the buffer (warning: no preStop and drain fit in it), a short
 * preStop that still sits in the default 30 s (info: the app may drain within what is left), and a
 * workload type the table gives more than it has (warning when declared, info when only the kind
 * implies it).
 */
export const gracePeriodBelowWorkload: Rule = {
  id: 'grace-period-below-workload',
  severity: 'warning',
  description:
    "terminationGracePeriodSeconds below the guide's range for a declared WebSocket, batch or stateful workload, or a preStop left in the default 30 s.",
  docs: `${DOCS_BASE}#grace-period-below-workload`,
  messages: {
    belowGuide:
      'a {workloadType} workload{implied} gets {grace}s{defaulted} to stop; the guide gives it {min}-{max}s: work still running at SIGKILL is lost',
    cannotHoldPreStop:
      'a stateless HTTP workload gets {grace}s to stop, less than the {preStop}s preStop {basis} needs plus the {buffer}s buffer: the pod cannot wait out endpoint removal and still finish its requests (the guide gives it {min}-{max}s)',
    preStopInDefault:
      'the preStop of {container} takes {preStop}s of the default 30s grace, leaving the app {window}s from SIGTERM to SIGKILL; the guide gives a stateless HTTP workload {min}-{max}s (a request longer than that is cut)',
  },
  fixedBy: 'grace',
  check(context) {
    const { analysis } = context;
    const main = analysis.containers.find((c) => c.container.role === 'main');
    const range = GRACE_BY_WORKLOAD[analysis.workloadType];
    if (!main || main.budget.graceSeconds >= range.min) return [];
    // A known drain is judged exactly by grace-period-exceeded.
    if (analysis.containers.some((c) => c.budget.drainSeconds !== undefined)) return [];
    const where = analysis.specGraceSeconds === undefined ? [] : ['terminationGracePeriodSeconds'];
    const finding = (severity: RuleFinding['severity'], message: RuleMessage): RuleFinding[] => [
      {
        path: [...analysis.template.path, 'spec', ...where],
        ...(severity ? { severity } : {}),
        ...message,
        fix: `terminationGracePeriodSeconds: ${range.min} or more (annotate lameduck.dev/workload if the type is wrong)`,
      },
    ];
    if (analysis.workloadType !== 'http') {
      const declared = analysis.workloadTypeSource === 'annotation' || analysis.workloadTypeSource === 'flag';
      return finding(declared ? undefined : 'info', {
        messageId: 'belowGuide',
        data: {
          workloadType: WORKLOAD_LABELS[analysis.workloadType],
          implied: declared ? '' : ` (a ${analysis.kind})`,
          grace: main.budget.graceSeconds,
          defaulted: analysis.specGraceSeconds === undefined ? ' (the default)' : '',
          min: range.min,
          max: range.max,
        },
      });
    }
    if (analysis.specGraceSeconds !== undefined) {
      // An explicit grace is the owner's choice, unless it cannot even hold the preStop the cluster
      // needs plus the buffer (terminationGracePeriodSeconds: 5): then nothing can be done right.
      const { range: preStop, basis } = context.preStopCoverage;
      const serving = servingContainers(context);
      // A hook already in the range (Kong's `kong quit --wait=15` in front of a LoadBalancer) is the
      // owner's pick of it: the grace must hold that, not the range's top.
      const chosen = serving
        .map((c) => c.budget.preStopEffect.seconds)
        .filter((seconds): seconds is number => seconds !== undefined && seconds >= preStop.min);
      const wait = chosen.length > 0 ? Math.max(...chosen) : preStop.max;
      const needed = wait + context.options.bufferSeconds;
      // A preStop that fills the grace is grace-period-exceeded's finding.
      const filled = serving.some((c) => (c.budget.preStopEffect.seconds ?? 0) >= c.budget.graceSeconds);
      // A lone endpoint (a singleton controller, a database of one) is asked for no preStop.
      if (main.budget.graceSeconds >= needed || serving.length === 0 || filled || loneEndpoint(context))
        return [];
      // 30 written out (a chart's values.yaml copying the default) with no hook at all: the default,
      // not a choice; prestop-missing's fix raises it with the preStop it adds.
      const unhooked = serving.every((c) => c.budget.preStop.kind === 'none');
      if (main.budget.graceSeconds === DEFAULT_GRACE_SECONDS && unhooked) return [];
      // Only ports nothing is known to route to (an operator's): say less, as the serving rules do.
      const shown = serving.some((c) => c.evidence.kind === 'serving');
      return finding(shown ? undefined : 'info', {
        messageId: 'cannotHoldPreStop',
        data: {
          grace: main.budget.graceSeconds,
          preStop: wait,
          basis,
          buffer: context.options.bufferSeconds,
          min: range.min,
          max: range.max,
        },
      });
    }
    const hooked = servingContainers(context).find((c) => {
      const seconds = c.budget.preStopEffect.seconds;
      return seconds !== undefined && seconds > 0 && seconds < LONG_PRESTOP_SECONDS;
    });
    if (!hooked) return [];
    return finding('info', {
      messageId: 'preStopInDefault',
      data: {
        container: hooked.container.name,
        preStop: hooked.budget.preStopEffect.seconds ?? 0,
        window: hooked.budget.drainWindowSeconds ?? 0,
        min: range.min,
        max: range.max,
      },
    });
  },
};
