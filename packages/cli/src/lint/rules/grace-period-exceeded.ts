import { formatSeconds as t } from '../../model/duration.js';
import { DOCS_BASE, type Rule, type RuleFinding } from '../rule.js';

export const gracePeriodExceeded: Rule = {
  id: 'grace-period-exceeded',
  severity: 'error',
  description: 'terminationGracePeriodSeconds does not cover preStop + drain + buffer.',
  docs: `${DOCS_BASE}#grace-period-exceeded`,
  messages: {
    preStopUsesGrace:
      "preStop ({preStop}) uses the whole {grace} grace period: SIGTERM at t={sigterm} and SIGKILL 2s later (the kubelet's minimum), so the app cannot drain",
    drainCut:
      'SIGKILL arrives at t={sigkill}, {short} before the {drain} drain ends: in-flight requests are cut (exit code 137)',
    bufferTooSmall: 'the app exits only {slack} before SIGKILL at t={sigkill}, less than the {buffer} buffer',
  },
  fixedBy: 'grace',
  check(context) {
    const spec = [...context.analysis.template.path, 'spec', 'terminationGracePeriodSeconds'];
    return context.analysis.containers.flatMap(({ container, budget }): RuleFinding[] => {
      if (container.role !== 'main' || budget.sigkillAt === undefined) return [];
      const grace = budget.graceSeconds;
      // A grace below the 2 s floor with no hook is a choice (a pause container preempted at once),
      // judged below by the drain like any other grace.
      if (budget.floorApplied && budget.preStop.kind !== 'none') {
        return [
          {
            path: spec,
            container: container.name,
            messageId: 'preStopUsesGrace',
            data: {
              preStop: t(budget.preStopEffect.seconds ?? 0),
              grace: t(grace),
              sigterm: t(budget.sigtermAt ?? 0),
            },
            fix: `terminationGracePeriodSeconds >= preStop + drain + ${t(budget.bufferSeconds)} buffer`,
          },
        ];
      }
      if (budget.minimumGraceSeconds === undefined || grace >= budget.minimumGraceSeconds) return [];
      const slack = budget.slackSeconds ?? 0;
      return [
        {
          path: spec,
          container: container.name,
          ...(slack < 0
            ? {
                messageId: 'drainCut',
                data: { sigkill: t(budget.sigkillAt), short: t(-slack), drain: t(budget.drainSeconds ?? 0) },
              }
            : {
                messageId: 'bufferTooSmall',
                data: { slack: t(slack), sigkill: t(budget.sigkillAt), buffer: t(budget.bufferSeconds) },
              }),
          fix: `terminationGracePeriodSeconds: ${Math.ceil(budget.minimumGraceSeconds)} (preStop ${t(budget.preStopEffect.seconds ?? 0)} + drain ${t(budget.drainSeconds ?? 0)} + buffer ${t(budget.bufferSeconds)})`,
        },
      ];
    });
  },
};
