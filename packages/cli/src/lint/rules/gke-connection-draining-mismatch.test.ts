import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { gkeConnectionDrainingMismatch } from './gke-connection-draining-mismatch.js';

const front = (draining: string, reference = '{"default": "drain"}') => `---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    cloud.google.com/backend-config: '${reference}'
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata:
  name: drain
spec:${draining}
`;
const grace60 = { podSpec: '\n      terminationGracePeriodSeconds: 60' };

describe('gke-connection-draining-mismatch', () => {
  ruleTester(gkeConnectionDrainingMismatch, {
    valid: [
      {
        name: 'draining 30 s within a 60 s grace',
        yaml: deployment(grace60) + front('\n  connectionDraining: {drainingTimeoutSec: 30}'),
      },
      {
        name: 'referenced by port',
        yaml:
          deployment(grace60) +
          front('\n  connectionDraining: {drainingTimeoutSec: 30}', '{"ports": {"80": "drain"}}'),
      },
      {
        name: 'a BackendConfig no Service names',
        yaml: deployment() + front(' {}', '{"default": "other"}'),
      },
    ],
    invalid: [
      {
        name: 'no connectionDraining: 0 s',
        yaml: deployment() + front(' {}'),
        findings: [
          {
            line: 33,
            messageId: 'noDraining',
            data: { backendConfig: 'drain', workload: 'Deployment web' },
            fix: /at most 30s/,
          },
        ],
      },
      {
        name: 'draining 120 s against pods SIGKILLed at 60 s',
        yaml: deployment(grace60) + front('\n  connectionDraining: {drainingTimeoutSec: 120}'),
        findings: [
          {
            line: 35,
            messageId: 'drainingOutlivesPod',
            data: { draining: '120s', workload: 'Deployment web', podGone: '60s' },
            fix: /lower drainingTimeoutSec to 60 or less/,
          },
        ],
      },
    ],
  });
});
