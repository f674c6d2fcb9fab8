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
    waitTooShort:
      'the preStop `{command}` keeps the app accepting for {seconds}s, less than endpoint removal takes to reach everything that routes to the pod ({basis} needs {range}): late requests hit a closed listener',
  },
  fixedBy: 'prestop',
  check(context) {
    const { range, basis } = context.preStopCoverage;
    return servingContainers(context).flatMap(({ container, budget }) => {
      const hook = budget.preStop;
      if (budget.preStopEffect.outcome !== 'runs') return [];
      // A command that waits and then stops the app itself (kong quit --wait, Contour's shutdown
      // manager): too short a wait is the same problem; its length is its own option.
      if (hook.kind === 'exec' && hook.wait !== undefined && hook.wait.seconds < range.min)
        return [
          {
            path: [...container.path, 'lifecycle', 'preStop', 'exec'],
            container: container.name,
            messageId: 'waitTooShort',
            data: {
              command: hook.command.join(' '),
              seconds: hook.wait.seconds,
              basis,
              range: describeRange(range),
            },
            fix: `${hook.wait.option} of ${range.max}s (or a sleep of ${range.max}s before it)`,
          },
        ];
      if (hook.kind !== 'sleep' && hook.kind !== 'exec-sleep') return [];
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
