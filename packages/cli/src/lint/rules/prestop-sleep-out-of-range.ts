import { describeRange } from '../../model/parties.js';
import { DOCS_BASE, type Rule, servingContainers } from '../rule.js';

export const prestopSleepOutOfRange: Rule = {
  id: 'prestop-sleep-out-of-range',
  severity: 'warning',
  description: "A preStop sleep outside the guide's range for the cluster size.",
  docs: `${DOCS_BASE}#prestop-sleep-out-of-range`,
  messages: {
    tooShort:
      'SIGTERM arrives after {seconds}s, before endpoint removal reaches everything that routes to the pod ({basis} needs {range}): late requests hit a closed listener',
    tooLong:
      'the pod waits {seconds}s before SIGTERM, longer than {basis} needs ({range}): every rollout step takes longer',
  },
  fixedBy: 'prestop',
  check(context) {
    const { range, basis } = context.preStopCoverage;
    return servingContainers(context).flatMap(({ container, budget }) => {
      const hook = budget.preStop;
      if ((hook.kind !== 'sleep' && hook.kind !== 'exec-sleep') || budget.preStopEffect.outcome !== 'runs')
        return [];
      if (hook.seconds >= range.min && hook.seconds <= range.max) return [];
      const path = [...container.path, 'lifecycle', 'preStop', hook.kind === 'sleep' ? 'sleep' : 'exec'];
      return [
        hook.seconds < range.min
          ? {
              path,
              container: container.name,
              messageId: 'tooShort',
              data: { seconds: hook.seconds, basis, range: describeRange(range) },
              fix: `sleep ${range.max}s`,
            }
          : {
              path,
              container: container.name,
              messageId: 'tooLong',
              data: { seconds: hook.seconds, basis, range: describeRange(range) },
              fix: `sleep ${range.max}s, or measure propagation with lameduck verify`,
            },
      ];
    });
  },
};
