import { DOCS_BASE, type Rule } from '../rule.js';

/** From 15 s of preStop on, the 30 s default leaves the app 15 s or less. */
export const LONG_PRESTOP_SECONDS = 15;

export const gracePeriodDefaultTooLow: Rule = {
  id: 'grace-period-default-too-low',
  severity: 'warning',
  description: 'terminationGracePeriodSeconds left at the 30 s default with a preStop sleep of 15 s or more.',
  docs: `${DOCS_BASE}#grace-period-default-too-low`,
  messages: {
    preStopEatsDefault:
      'the grace period defaults to 30s and the preStop takes {preStop}s of it: the app has {window}s between SIGTERM and SIGKILL',
  },
  fixedBy: 'grace',
  check(context) {
    if (context.analysis.specGraceSeconds !== undefined) return [];
    return context.analysis.containers.flatMap(({ container, budget }) =>
      container.role === 'main' &&
      budget.drainSeconds === undefined &&
      (budget.preStopEffect.seconds ?? 0) >= LONG_PRESTOP_SECONDS
        ? [
            {
              path: [...context.analysis.template.path, 'spec'],
              container: container.name,
              messageId: 'preStopEatsDefault',
              data: {
                preStop: budget.preStopEffect.seconds ?? 0,
                window: budget.drainWindowSeconds ?? 0,
              },
              fix: 'set terminationGracePeriodSeconds to preStop + drain + 10s (45-60s for stateless HTTP)',
            },
          ]
        : [],
    );
  },
};
