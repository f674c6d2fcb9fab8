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

/** A Namespace "shop" with these labels, and the Deployment in it without any injection of its own. */
const namespace = (labels: string) => `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {${labels}}}
---
`;
const uninjected = deployment('')
  .replace('metadata: {name: web}', 'metadata: {name: web, namespace: shop}')
  .replace('sidecar.istio.io/inject: "true"', 'team: web');

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
        name: 'the pod opts out in a namespace that injects',
        yaml: `${namespace('istio-injection: enabled')}${deployment('').replace('annotations:\n        sidecar.istio.io/inject: "true"', 'labels:\n        sidecar.istio.io/inject: "false"')}`,
        drainSeconds: 20,
      },
      {
        name: 'a namespace that injects, with istio-injection disabled winning over a revision',
        yaml: `${namespace('istio-injection: disabled, istio.io/rev: canary')}${uninjected}`,
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
        // What fix writes: the rule's own edit, nothing else.
        output: deployment('').replace(
          '        sidecar.istio.io/inject: "true"\n',
          '        sidecar.istio.io/inject: "true"\n        proxy.istio.io/config: |\n          proxyMetadata:\n            EXIT_ON_ZERO_ACTIVE_CONNECTIONS: "true"\n',
        ),
        drainSeconds: 20,
        findings: [
          { line: 6, message: /exits after its 5s terminationDrainDuration, while app drains until t=35s/ },
        ],
      },
      {
        name: 'injected because the namespace is labelled istio-injection: enabled',
        yaml: `${namespace('istio-injection: enabled')}${uninjected}`,
        drainSeconds: 20,
        findings: [
          {
            line: 10,
            message: /^an injected istio-proxy \(namespace shop is labelled istio-injection: enabled\)/,
          },
        ],
      },
      {
        name: 'injected by a revision label on the namespace',
        yaml: `${namespace('istio.io/rev: canary')}${uninjected}`,
        drainSeconds: 20,
        findings: [{ line: 10, message: /\(namespace shop is labelled istio\.io\/rev\)/ }],
      },
      {
        name: 'a proxy.istio.io/config annotation is written only for a sidecar',
        yaml: deployment('').replace(
          'sidecar.istio.io/inject: "true"',
          'proxy.istio.io/config: "holdApplicationUntilProxyStarts: true"',
        ),
        drainSeconds: 20,
        findings: [{ line: 6, message: /\(the pod carries proxy\.istio\.io\/config\)/ }],
      },
      {
        name: 'drain unknown: still exits inside the preStop',
        yaml: deployment(''),
        findings: [{ line: 6, message: /is still in its preStop until t=15s/ }],
      },
    ],
  });
});
