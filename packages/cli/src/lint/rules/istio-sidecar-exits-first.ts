import { stringify } from 'yaml';
import { formatSeconds as t } from '../../model/duration.js';
import { getObject } from '../../model/json.js';
import { istioSidecar } from '../../model/mesh-sidecars.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const istioSidecarExitsFirst: Rule = {
  id: 'istio-sidecar-exits-first',
  severity: 'warning',
  description: 'The classic Istio sidecar stops draining before the app is done.',
  docs: `${DOCS_BASE}#istio-sidecar-exits-first`,
  messages: {
    proxyExitsFirst:
      'an injected istio-proxy ({injected}) gets SIGTERM at t=0 and exits after its {drain} terminationDrainDuration, while {container} {appState}: traffic through the sidecar fails from then on',
  },
  fixedBy: 'pod-annotation',
  check(context) {
    const { template } = context.analysis;
    const sidecar = istioSidecar(template, context.namespace);
    if (sidecar === undefined || sidecar.exitsOnZeroConnections) return [];
    const { proxyConfig: config, drainSeconds: drain, injectedBecause: injected } = sidecar;
    // The fix keeps every other proxy setting and adds the one that makes the agent wait for connections.
    const fixed = {
      ...config,
      proxyMetadata: {
        ...(getObject(config, ['proxyMetadata']) ?? {}),
        EXIT_ON_ZERO_ACTIVE_CONNECTIONS: 'true',
      },
    };
    const change = { kind: 'pod-annotation', key: 'proxy.istio.io/config', value: stringify(fixed) } as const;
    return context.analysis.containers.flatMap(({ container, budget }) => {
      // The sidecar gets SIGTERM at t=0 (it has no preStop) and exits `drain` later.
      const appDone = budget.exitAt ?? budget.sigtermAt;
      if (container.role !== 'main' || appDone === undefined || drain >= appDone) return [];
      return [
        {
          path: [...template.path, 'metadata'],
          container: container.name,
          messageId: 'proxyExitsFirst',
          data: {
            injected,
            drain: t(drain),
            container: container.name,
            appState:
              budget.exitAt === undefined
                ? `is still in its preStop until t=${t(appDone)}`
                : `drains until t=${t(appDone)}`,
          },
          fix: 'annotate proxy.istio.io/config: {proxyMetadata: {EXIT_ON_ZERO_ACTIVE_CONNECTIONS: "true"}}, or use native sidecars (Istio 1.27+ on Kubernetes 1.33+)',
          change,
        },
      ];
    });
  },
};
