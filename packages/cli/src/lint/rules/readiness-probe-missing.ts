import { istioCompletedProxy } from '../../model/mesh-sidecars.js';
import { containerProtocol, nonHttpProbe, type Protocol } from '../../model/protocols.js';
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
  },
  check(context) {
    if (context.analysis.workloadType === 'batch' || loneEndpoint(context)) return [];
    return servingContainers(context)
      .filter((c) => c.container.spec.readinessProbe === undefined && !istioCompletedProxy(c.container.spec))
      .map(({ container, evidence }) => {
        const { evidence: because, ...terms } = servingTerms(evidence, 'noProbe');
        return {
          path: [...container.path, 'name'],
          container: container.name,
          ...terms,
          data: { evidence: because },
          fix: readinessAdvice(containerProtocol(container.spec)),
        };
      });
  },
};
