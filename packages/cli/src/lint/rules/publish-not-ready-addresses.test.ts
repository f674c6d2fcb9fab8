import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { publishNotReadyAddresses } from './publish-not-ready-addresses.js';

const service = (flag: boolean) =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  publishNotReadyAddresses: ${flag}\n---\n`;

describe('publish-not-ready-addresses', () => {
  ruleTester(publishNotReadyAddresses, {
    valid: [
      { name: 'false', yaml: service(false) + deployment() },
      {
        name: 'a headless Service for peer discovery (a memberlist gossip ring), as Kubernetes documents the field',
        yaml: service(true).replace('spec:\n', 'spec:\n  clusterIP: None\n') + deployment(),
      },
    ],
    invalid: [
      {
        name: 'true on the Service in front (points at the Service)',
        yaml: service(true) + deployment(),
        findings: [{ line: 6, messageId: 'terminatingStayReady', data: { workload: 'Deployment web' } }],
      },
      {
        name: 'in front of a StatefulSet of one (Vault standalone): no other endpoint either way, so info',
        yaml:
          service(true) +
          'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\nspec:\n  replicas: 1\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: web\n        image: web:1\n        ports: [{containerPort: 8080, name: http}]\n',
        findings: [{ line: 6, messageId: 'loneEndpoint', severity: 'info' }],
      },
    ],
  });
});
