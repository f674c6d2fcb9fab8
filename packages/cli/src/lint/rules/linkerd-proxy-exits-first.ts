import { formatSeconds as t } from '../../model/duration.js';
import { getString, type JsonObject } from '../../model/json.js';
import { annotationPath, durationAt } from '../front-of-pod.js';
import { DOCS_BASE, type Rule, type RuleFinding, servingContainers } from '../rule.js';

const WAIT_ANNOTATION = 'config.alpha.linkerd.io/proxy-wait-before-exit-seconds';
const NATIVE_SIDECAR_ANNOTATIONS = [
  'config.alpha.linkerd.io/proxy-enable-native-sidecar',
  'config.beta.linkerd.io/proxy-enable-native-sidecar',
];

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
    const { template } = context.analysis;
    const pod: JsonObject = { metadata: template.metadata };
    // Linkerd reads its annotations from the pod template first, then from the namespace.
    const scopes = [pod, ...(context.namespace ? [context.namespace] : [])];
    const setting = (key: string) =>
      scopes.map((scope) => getString(scope, annotationPath(key))).find(Boolean);
    if (setting('linkerd.io/inject') !== 'enabled') return [];
    // A native-sidecar proxy is stopped after the app by the kubelet itself; the wait does not apply.
    if (NATIVE_SIDECAR_ANNOTATIONS.some((key) => setting(key) === 'true')) return [];
    // Unset, the proxy waits 0 s: it gets SIGTERM with the app's preStop start.
    const wait =
      scopes
        .map((scope) => durationAt(scope, annotationPath(WAIT_ANNOTATION)))
        .find((v) => v !== undefined) ?? 0;
    const path = [...template.path, ...annotationPath(WAIT_ANNOTATION)];
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
