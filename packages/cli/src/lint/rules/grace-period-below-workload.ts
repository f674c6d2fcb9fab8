import { GRACE_BY_WORKLOAD, WORKLOAD_LABELS } from '../../model/guide-tables.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const gracePeriodBelowWorkload: Rule = {
  id: 'grace-period-below-workload',
  severity: 'warning',
  description: "terminationGracePeriodSeconds below the guide's range for the workload type.",
  docs: `${DOCS_BASE}#grace-period-below-workload`,
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
        message: `a ${WORKLOAD_LABELS[analysis.workloadType]} workload gets ${grace}s${analysis.specGraceSeconds === undefined ? ' (the default)' : ''} to stop; the guide gives it ${range.min}-${range.max}s`,
        fix: `terminationGracePeriodSeconds: ${range.min} or more (annotate lameduck.dev/workload if the type is wrong)`,
      },
    ];
  },
};
