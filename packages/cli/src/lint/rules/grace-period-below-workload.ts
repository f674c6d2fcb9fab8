import { GRACE_BY_WORKLOAD, WORKLOAD_LABELS } from '../../model/guide-tables.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const gracePeriodBelowWorkload: Rule = {
  id: 'grace-period-below-workload',
  severity: 'warning',
  description: "terminationGracePeriodSeconds below the guide's range for the workload type.",
  docs: `${DOCS_BASE}#grace-period-below-workload`,
  messages: {
    belowGuide: 'a {workloadType} workload gets {grace}s{defaulted} to stop; the guide gives it {min}-{max}s',
  },
  fixedBy: 'grace',
  check(context) {
    const { analysis } = context;
    const grace = analysis.containers[0]?.budget.graceSeconds;
    const range = GRACE_BY_WORKLOAD[analysis.workloadType];
    if (grace === undefined || grace >= range.min) return [];
    const where = analysis.specGraceSeconds === undefined ? [] : ['terminationGracePeriodSeconds'];
    return [
      {
        path: [...analysis.template.path, 'spec', ...where],
        messageId: 'belowGuide',
        data: {
          workloadType: WORKLOAD_LABELS[analysis.workloadType],
          grace,
          defaulted: analysis.specGraceSeconds === undefined ? ' (the default)' : '',
          min: range.min,
          max: range.max,
        },
        fix: `terminationGracePeriodSeconds: ${range.min} or more (annotate lameduck.dev/workload if the type is wrong)`,
      },
    ];
  },
};
