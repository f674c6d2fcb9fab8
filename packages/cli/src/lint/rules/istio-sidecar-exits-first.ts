import { parse, stringify } from 'yaml';
import { parseDurationSeconds, formatSeconds as t } from '../../model/duration.js';
import { getIn, getObject, getString, isObject, type JsonObject } from '../../model/json.js';
import { DOCS_BASE, type Rule } from '../rule.js';

/** Istio's default terminationDrainDuration (istio/api mesh/v1alpha1/proxy.proto). */
const DEFAULT_DRAIN_SECONDS = 5;

function proxyConfig(annotations: JsonObject): JsonObject {
  const raw = getString(annotations, ['proxy.istio.io/config']);
  if (raw === undefined) return {};
  try {
    const parsed: unknown = parse(raw);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * Whether Istio's injector gives the pod a sidecar, and why (istio.io "Installing the sidecar",
 * injection policy): the pod's `sidecar.istio.io/inject` label (or the older annotation) decides
 * when set; otherwise a namespace labelled `istio-injection: enabled` or `istio.io/rev`, or a
 * revision label on the pod. A `proxy.istio.io/config` annotation is written only for a sidecar.
 */
function injectedBecause(
  labels: JsonObject,
  annotations: JsonObject,
  namespace: JsonObject | undefined,
): string | undefined {
  const podChoice = labels['sidecar.istio.io/inject'] ?? annotations['sidecar.istio.io/inject'];
  if (podChoice === 'false') return undefined;
  if (podChoice === 'true') return 'sidecar.istio.io/inject: "true"';
  const namespaceLabels = getObject(namespace, ['metadata', 'labels']) ?? {};
  const name = getString(namespace, ['metadata', 'name']);
  if (namespaceLabels['istio-injection'] === 'enabled')
    return `namespace ${name} is labelled istio-injection: enabled`;
  if (namespaceLabels['istio-injection'] !== 'disabled' && namespaceLabels['istio.io/rev'] !== undefined)
    return `namespace ${name} is labelled istio.io/rev`;
  if (labels['istio.io/rev'] !== undefined) return 'the pod is labelled istio.io/rev';
  if (annotations['proxy.istio.io/config'] !== undefined) return 'the pod carries proxy.istio.io/config';
  return undefined;
}

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
    const annotations = getObject(template.metadata, ['annotations']) ?? {};
    const labels = getObject(template.metadata, ['labels']) ?? {};
    const injected = injectedBecause(labels, annotations, context.namespace);
    if (injected === undefined) return [];
    const config = proxyConfig(annotations);
    if (getIn(config, ['proxyMetadata', 'EXIT_ON_ZERO_ACTIVE_CONNECTIONS']) === 'true') return [];
    const configured = getString(config, ['terminationDrainDuration']);
    const drain =
      (configured === undefined ? undefined : parseDurationSeconds(configured)) ?? DEFAULT_DRAIN_SECONDS;
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
