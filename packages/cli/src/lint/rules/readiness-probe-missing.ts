import { getString } from '../../model/json.js';
import { istioCompletedProxy } from '../../model/mesh-sidecars.js';
import { containerProtocol, nonHttpProbe, type Protocol } from '../../model/protocols.js';
import { listensAtOnce } from '../images.js';
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

export const readinessProbeMissing: Rule = {
  id: 'readiness-probe-missing',
  severity: 'warning',
  description: 'A serving container without a readiness probe.',
  docs: `${DOCS_BASE}#readiness-probe-missing`,
  messages: {
    noProbe:
      'the pod counts as ready as soon as it starts: new pods take traffic before they can serve, and a draining pod cannot report it; it serves because {evidence}',
    mayServe: '{evidence}: the pod counts as ready as soon as it starts',
    listensAtOnce:
      'the pod counts as ready as soon as it starts, and a draining pod cannot report it; {server} listens within milliseconds of starting, before its endpoint reaches any proxy, so a probe matters once it does work before it listens (it serves because {evidence})',
  },
  check(context) {
    if (context.analysis.workloadType === 'batch' || loneEndpoint(context)) return [];
    return servingContainers(context)
      .filter((c) => c.container.spec.readinessProbe === undefined && !istioCompletedProxy(c.container.spec))
      .map(({ container, evidence }) => {
        const { evidence: because, ...terms } = servingTerms(evidence, 'noProbe');
        const image = getString(container.spec, ['image']) ?? '';
        // A server that listens at once loses no request at start: said, at info.
        const server =
          terms.messageId === 'noProbe' ? listensAtOnce(image, context.dockerfileFor(image)) : undefined;
        return {
          path: [...container.path, 'name'],
          container: container.name,
          ...terms,
          ...(server ? { messageId: 'listensAtOnce', severity: 'info' as const } : {}),
          data: { evidence: because, ...(server ? { server } : {}) },
          fix: readinessAdvice(containerProtocol(container.spec)),
        };
      });
  },
};
