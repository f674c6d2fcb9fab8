import { formatKubeVersion } from '../../model/kube-version.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const prestopSleepActionUnsupported: Rule = {
  id: 'prestop-sleep-action-unsupported',
  severity: 'error',
  description:
    'Native preStop sleep on a Kubernetes version that does not run it (before 1.30, or seconds: 0 before 1.33).',
  docs: `${DOCS_BASE}#prestop-sleep-action-unsupported`,
  messages: {
    sleepUnsupported: 'on Kubernetes {version}: {effect}',
  },
  fixedBy: 'prestop',
  check(context) {
    const version = formatKubeVersion(context.options.kubeVersion);
    return context.analysis.containers
      .filter((c) => c.budget.preStop.kind === 'sleep' && c.budget.preStopEffect.outcome !== 'runs')
      .map(({ container, budget }) => ({
        path: [...container.path, 'lifecycle', 'preStop', 'sleep'],
        container: container.name,
        messageId: 'sleepUnsupported',
        data: { version, effect: budget.preStopEffect.note ?? 'the sleep does not run' },
        fix: `use exec: {command: ["/bin/sh", "-c", "sleep ${budget.preStop.kind === 'sleep' ? Math.max(budget.preStop.seconds, 1) : 1}"]}, or target Kubernetes 1.30+`,
      }));
  },
};
