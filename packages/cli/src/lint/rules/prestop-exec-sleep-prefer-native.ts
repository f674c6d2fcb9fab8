import { enabledByDefault, FEATURES } from '../../model/kube-version.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const prestopExecSleepPreferNative: Rule = {
  id: 'prestop-exec-sleep-prefer-native',
  severity: 'info',
  description: 'An exec sleep preStop where the target version supports the native sleep action.',
  docs: `${DOCS_BASE}#prestop-exec-sleep-prefer-native`,
  messages: {
    needsShell:
      'the hook needs a shell and a sleep binary in the image; without them it fails (FailedPreStopHook) and SIGTERM arrives at once',
  },
  fixedBy: 'prestop',
  check(context) {
    if (!enabledByDefault(FEATURES.sleepAction, context.options.kubeVersion)) return [];
    return context.analysis.containers.flatMap(({ container, budget }) =>
      budget.preStop.kind === 'exec-sleep'
        ? [
            {
              path: [...container.path, 'lifecycle', 'preStop', 'exec'],
              container: container.name,
              messageId: 'needsShell',
              fix: `use lifecycle.preStop.sleep.seconds: ${budget.preStop.seconds} (run by the kubelet, Kubernetes 1.30+)`,
            },
          ]
        : [],
    );
  },
};
