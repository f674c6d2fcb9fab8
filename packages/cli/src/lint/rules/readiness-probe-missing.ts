import { DOCS_BASE, type Rule, servingContainers } from '../rule.js';

export const readinessProbeMissing: Rule = {
  id: 'readiness-probe-missing',
  severity: 'warning',
  description: 'A serving container without a readiness probe.',
  docs: `${DOCS_BASE}#readiness-probe-missing`,
  check(context) {
    if (context.analysis.workloadType === 'batch') return [];
    return servingContainers(context)
      .filter((c) => c.container.spec.readinessProbe === undefined)
      .map(({ container }) => ({
        path: [...container.path, 'name'],
        container: container.name,
        message:
          'the pod counts as ready as soon as it starts: new pods take traffic before they can serve, and a draining pod cannot report it',
        fix: 'add a readinessProbe (httpGet on the serving port) that answers 503 from SIGTERM on',
      }));
  },
};
