import { describe } from 'node:test';
import { ruleTester } from '../../testing/rule-tester.js';
import { linkerdProxyExitsFirst } from './linkerd-proxy-exits-first.js';

const deployment = (annotations: string, preStop = 15) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      annotations:
        linkerd.io/inject: enabled${annotations}
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: app
          image: web:1
          ports: [{containerPort: 8080}]
          lifecycle: {preStop: {sleep: {seconds: ${preStop}}}}
`;
const wait = (seconds: number) =>
  `\n        config.alpha.linkerd.io/proxy-wait-before-exit-seconds: "${seconds}"`;

describe('linkerd-proxy-exits-first', () => {
  ruleTester(linkerdProxyExitsFirst, {
    valid: [
      { name: 'wait 20 s: above the 15 s preStop, below the 60 s grace', yaml: deployment(wait(20)) },
      { name: 'not injected', yaml: deployment(wait(5)).replace('enabled', 'disabled') },
      {
        name: 'native sidecar proxy',
        yaml: deployment('\n        config.alpha.linkerd.io/proxy-enable-native-sidecar: "true"'),
      },
    ],
    invalid: [
      {
        name: 'no wait: the proxy stops at t=0 while the app sleeps 15 s',
        yaml: deployment(''),
        findings: [
          {
            line: 7,
            messageId: 'proxyStopsDuringPreStop',
            data: { wait: '0s', container: 'app', appSigterm: '15s' },
            fix: /proxy-wait-before-exit-seconds: "16" or more, below the 60s grace period/,
          },
        ],
      },
      {
        name: 'wait equal to the preStop',
        yaml: deployment(wait(15)),
        findings: [{ line: 9, messageId: 'proxyStopsDuringPreStop', data: { wait: '15s' } }],
      },
      {
        name: 'wait at the grace period',
        yaml: deployment(wait(60)),
        findings: [
          {
            line: 9,
            messageId: 'waitOutlivesGrace',
            data: { wait: '60s', grace: '60s' },
          },
        ],
      },
    ],
  });
});
