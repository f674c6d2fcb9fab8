import { getIn, getString } from '../../model/json.js';
import { peerDiscovery } from '../../model/services.js';
import { DOCS_BASE, loneEndpoint, type Rule } from '../rule.js';

export const publishNotReadyAddresses: Rule = {
  id: 'publish-not-ready-addresses',
  severity: 'error',
  description: 'publishNotReadyAddresses: true on a Service in front of a serving workload.',
  docs: `${DOCS_BASE}#publish-not-ready-addresses`,
  messages: {
    terminatingStayReady:
      'Service {service} keeps terminating pods of {workload} ready=true in its EndpointSlices: they keep receiving new traffic while they shut down',
    loneEndpoint:
      "Service {service} keeps terminating pods of {workload} ready=true in its EndpointSlices; no other pod can take a stopping pod's traffic here either way, but once one can, a stopping pod keeps receiving new traffic",
  },
  check(context) {
    if (context.analysis.workloadType === 'batch') return [];
    const alone = loneEndpoint(context);
    // A headless Service that publishes not-ready pods is how Kubernetes documents peer
    // discovery: members find each other before they are ready; kube-proxy routes nothing through it.
    return context.services
      .filter(
        (service) => getIn(service, ['spec', 'publishNotReadyAddresses']) === true && !peerDiscovery(service),
      )
      .map((service) => ({
        in: service,
        path: ['spec', 'publishNotReadyAddresses'],
        messageId: alone ? 'loneEndpoint' : 'terminatingStayReady',
        ...(alone ? { severity: 'info' as const } : {}),
        data: {
          service: getString(service, ['metadata', 'name']) ?? '',
          workload: `${context.kind} ${context.name}`,
        },
        fix: 'remove publishNotReadyAddresses, or use a separate headless Service for peer discovery',
      }));
  },
};
