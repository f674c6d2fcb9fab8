import { getString, type JsonObject } from '../../model/json.js';
import { istioCompletedProxy } from '../../model/mesh-sidecars.js';
import { containerProtocol, nonHttpProbe, type Protocol } from '../../model/protocols.js';
import { type ImageLinker, listensAtOnce } from '../images.js';
import { DOCS_BASE, loneEndpoint, type Rule, servingContainers, servingTerms } from '../rule.js';

/** The probe to add, for what the container speaks. */
function readinessAdvice(protocol: Protocol): string {
  switch (protocol.kind) {
    case 'http':
      return 'add a readinessProbe (httpGet on the serving port) that answers 503 from SIGTERM on';
    case 'other':
      return `add a readinessProbe that checks ${protocol.server} answers: ${nonHttpProbe(protocol)}`;
    case 'unknown':
      return 'add a readinessProbe on the serving port that fails when the app cannot serve (an HTTP server: httpGet that answers 503 from SIGTERM on)';
  }
}

/**
 * Why a serving container without a readiness probe takes no traffic before it can serve, if it
 * does not: a startup probe, which keeps it unready until it passes (the kubelet reports a container
 * with no readiness probe ready once it has started), or a server that listens before its endpoint
 * can reach any proxy. What is left of the probe's work is draining, which a terminating endpoint
 * does without it (EndpointSlice `ready` is false once the pod terminates): said at info.
 */
function startsEarly(
  container: JsonObject,
  dockerfileFor: ImageLinker,
): { readonly messageId: 'startupGated' | 'listensAtOnce'; readonly server?: string } | undefined {
  if (container.startupProbe !== undefined) return { messageId: 'startupGated' };
  const image = getString(container, ['image']) ?? '';
  const server = listensAtOnce(image, dockerfileFor(image));
  return server ? { messageId: 'listensAtOnce', server } : undefined;
}

export const readinessProbeMissing: Rule = {
  id: 'readiness-probe-missing',
  severity: 'warning',
  description: 'A serving container without a readiness probe.',
  docs: `${DOCS_BASE}#readiness-probe-missing`,
  messages: {
    noProbe:
      'the pod counts as ready as soon as it starts: new pods take traffic before they can serve, and a draining pod cannot report it; it serves because {evidence}',
    mayServe: '{evidence}: the pod counts as ready as soon as it starts',
    startupGated:
      'a draining pod cannot report it; its startupProbe keeps it unready until it passes, so new pods take no traffic too early (it serves because {evidence})',
    listensAtOnce:
      'the pod counts as ready as soon as it starts, and a draining pod cannot report it; {server} listens within milliseconds of starting, before its endpoint reaches any proxy, so a probe matters once it does work before it listens (it serves because {evidence})',
  },
  check(context) {
    if (context.analysis.workloadType === 'batch' || loneEndpoint(context)) return [];
    return servingContainers(context)
      .filter((c) => c.container.spec.readinessProbe === undefined && !istioCompletedProxy(c.container.spec))
      .map(({ container, evidence }) => {
        const { evidence: because, ...terms } = servingTerms(evidence, 'noProbe');
        const early =
          terms.messageId === 'noProbe' ? startsEarly(container.spec, context.dockerfileFor) : undefined;
        return {
          path: [...container.path, 'name'],
          container: container.name,
          ...terms,
          ...(early ? { messageId: early.messageId, severity: 'info' as const } : {}),
          data: { evidence: because, ...(early?.server ? { server: early.server } : {}) },
          fix: readinessAdvice(containerProtocol(container.spec)),
        };
      });
  },
};
