import { formatSeconds as t } from '../../model/duration.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const gracePeriodExceeded: Rule = {
  id: 'grace-period-exceeded',
  severity: 'error',
  description: 'terminationGracePeriodSeconds does not cover preStop + drain + buffer.',
  docs: `${DOCS_BASE}#grace-period-exceeded`,
  fixedBy: 'grace',
  check(context) {
    const spec = [...context.analysis.template.path, 'spec', 'terminationGracePeriodSeconds'];
    return context.analysis.containers.flatMap(({ container, budget }) => {
      if (container.role !== 'main' || budget.sigkillAt === undefined) return [];
      const grace = budget.graceSeconds;
      if (budget.floorApplied) {
        return [
          {
            path: spec,
            container: container.name,
            message: `preStop (${t(budget.preStopEffect.seconds ?? 0)}) uses the whole ${t(grace)} grace period: SIGTERM at t=${t(budget.sigtermAt ?? 0)} and SIGKILL 2s later (the kubelet's minimum), so the app cannot drain`,
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
          message:
            slack < 0
              ? `SIGKILL arrives at t=${t(budget.sigkillAt)}, ${t(-slack)} before the ${t(budget.drainSeconds ?? 0)} drain ends: in-flight requests are cut (exit code 137)`
              : `the app exits only ${t(slack)} before SIGKILL at t=${t(budget.sigkillAt)}, less than the ${t(budget.bufferSeconds)} buffer`,
          fix: `terminationGracePeriodSeconds: ${Math.ceil(budget.minimumGraceSeconds)} (preStop ${t(budget.preStopEffect.seconds ?? 0)} + drain ${t(budget.drainSeconds ?? 0)} + buffer ${t(budget.bufferSeconds)})`,
        },
      ];
    });
  },
};
