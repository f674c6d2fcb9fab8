import { getString } from '../../model/json.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const publishNotReadyAddresses: Rule = {
  id: 'publish-not-ready-addresses',
  severity: 'error',
  description: 'publishNotReadyAddresses: true on a Service in front of a serving workload.',
  docs: `${DOCS_BASE}#publish-not-ready-addresses`,
  messages: {
    terminatingStayReady:
      'Service {service} keeps terminating pods of {workload} ready=true in its EndpointSlices: they keep receiving new traffic while they shut down',
  },
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
        messageId: 'terminatingStayReady',
        data: {
          service: getString(service, ['metadata', 'name']) ?? '',
          workload: `${context.kind} ${context.name}`,
        },
        fix: 'remove publishNotReadyAddresses, or use a separate headless Service for peer discovery',
      }));
  },
};
