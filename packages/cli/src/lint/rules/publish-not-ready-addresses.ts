import { getString } from '../../model/json.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const publishNotReadyAddresses: Rule = {
  id: 'publish-not-ready-addresses',
  severity: 'error',
  description: 'publishNotReadyAddresses: true on a Service in front of a serving workload.',
  docs: `${DOCS_BASE}#publish-not-ready-addresses`,
  check(context) {
    if (context.analysis.workloadType === 'batch') return [];
    return context.services
      .filter(
        (service) =>
          (service.spec as { publishNotReadyAddresses?: unknown } | undefined)?.publishNotReadyAddresses ===
          true,
      )
      .map((service) => ({
        in: service,
        path: ['spec', 'publishNotReadyAddresses'],
        message: `Service ${getString(service, ['metadata', 'name']) ?? ''} keeps terminating pods of ${context.kind} ${context.name} ready=true in its EndpointSlices: they keep receiving new traffic while they shut down`,
        fix: 'remove publishNotReadyAddresses, or use a separate headless Service for peer discovery',
      }));
  },
};
