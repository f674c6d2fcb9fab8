import { formatSeconds as t } from '../../model/duration.js';
import { linkerdProxy, LINKERD_WAIT_ANNOTATION as WAIT_ANNOTATION } from '../../model/mesh-sidecars.js';
import { DOCS_BASE, type Rule, type RuleFinding, servingContainers } from '../rule.js';

export const linkerdProxyExitsFirst: Rule = {
  id: 'linkerd-proxy-exits-first',
  severity: 'warning',
  description: "Linkerd's proxy stops before the app's preStop ends, or waits past the grace period.",
  docs: `${DOCS_BASE}#linkerd-proxy-exits-first`,
  messages: {
    proxyStopsDuringPreStop:
      'linkerd-proxy gets SIGTERM after its {wait} wait-before-exit and stops taking connections, while {container} is in its preStop until t={appSigterm}: requests still routed to the pod meanwhile are refused (502s at the ingress, failed calls from the app)',
    waitOutlivesGrace:
      'linkerd-proxy waits {wait} before exiting, but the grace period is {grace}: the kubelet cuts the wait and SIGKILLs the proxy 2 s later, resetting the connections still open through it',
  },
  check(context) {
    const proxy = linkerdProxy(context.analysis.template, context.namespace);
    if (proxy === undefined) return [];
    // Unset, the proxy waits 0 s: it gets SIGTERM with the app's preStop start.
    const { waitSeconds: wait, waitPath: path } = proxy;
    return servingContainers(context).flatMap(({ container, budget }): RuleFinding[] => {
      const appSigterm = budget.sigtermAt;
      if (appSigterm === undefined || appSigterm === 0) return [];
      if (wait <= appSigterm) {
        return [
          {
            path,
            container: container.name,
            messageId: 'proxyStopsDuringPreStop',
            data: { wait: t(wait), container: container.name, appSigterm: t(appSigterm) },
            fix: `annotate ${WAIT_ANNOTATION}: "${Math.trunc(appSigterm) + 1}" or more, below the ${t(budget.graceSeconds)} grace period`,
          },
        ];
      }
      if (wait < budget.graceSeconds) return [];
      return [
        {
          path,
          container: container.name,
          messageId: 'waitOutlivesGrace',
          data: { wait: t(wait), grace: t(budget.graceSeconds) },
          fix: `lower ${WAIT_ANNOTATION} below ${t(budget.graceSeconds)} (above the app's preStop), or raise terminationGracePeriodSeconds`,
        },
      ];
    });
  },
};
