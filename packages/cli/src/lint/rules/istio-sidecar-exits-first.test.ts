import { describe } from 'node:test';
import { ruleTester } from '../../testing/rule-tester.js';
import { istioSidecarExitsFirst } from './istio-sidecar-exits-first.js';

const deployment = (annotations: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      annotations:
        sidecar.istio.io/inject: "true"${annotations}
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: app
          image: web:1
          lifecycle: {preStop: {sleep: {seconds: 15}}}
`;

describe('istio-sidecar-exits-first', () => {
  ruleTester(istioSidecarExitsFirst, {
    valid: [
      {
        name: 'EXIT_ON_ZERO_ACTIVE_CONNECTIONS',
        yaml: deployment(
          '\n        proxy.istio.io/config: |\n          proxyMetadata:\n            EXIT_ON_ZERO_ACTIVE_CONNECTIONS: "true"',
        ),
        drainSeconds: 20,
      },
      {
        name: 'terminationDrainDuration covers the app',
        yaml: deployment('\n        proxy.istio.io/config: "terminationDrainDuration: 40s"'),
        drainSeconds: 20,
      },
      {
        name: 'no injection',
        yaml: deployment('').replace('sidecar.istio.io/inject: "true"', 'team: web'),
        drainSeconds: 20,
      },
    ],
    invalid: [
      {
        name: 'default 5 s drain against a 35 s app',
        yaml: deployment(''),
        drainSeconds: 20,
        findings: [
          { line: 6, message: /exits after its 5s terminationDrainDuration, while app drains until t=35s/ },
        ],
      },
      {
        name: 'drain unknown: still exits inside the preStop',
        yaml: deployment(''),
        findings: [{ line: 6, message: /is still in its preStop until t=15s/ }],
      },
    ],
  });
});
