import { describe } from 'node:test';
import { ruleTester } from '../../testing/rule-tester.js';
import { rolloutScaleDownDelayTooShort } from './rollout-scale-down-delay-too-short.js';

const rollout = (strategy: string) => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  strategy:
${strategy}
  template:
    spec:
      containers:
        - name: app
          image: web:1
`;

describe('rollout-scale-down-delay-too-short', () => {
  ruleTester(rolloutScaleDownDelayTooShort, {
    valid: [
      { name: 'blue-green default', yaml: rollout('    blueGreen: {activeService: web}') },
      {
        name: 'blue-green 30 s',
        yaml: rollout('    blueGreen: {activeService: web, scaleDownDelaySeconds: 30}'),
      },
      { name: 'canary 60 s', yaml: rollout('    canary: {scaleDownDelaySeconds: 60}') },
    ],
    invalid: [
      {
        name: 'blue-green 5 s',
        yaml: rollout('    blueGreen:\n      activeService: web\n      scaleDownDelaySeconds: 5'),
        findings: [
          {
            line: 8,
            message: /scales down the old ReplicaSet 5s after switching traffic/,
            fix: /set blueGreen.scaleDownDelaySeconds to 30 or more/,
          },
        ],
      },
      {
        name: 'canary 0 s',
        yaml: rollout('    canary:\n      scaleDownDelaySeconds: 0'),
        findings: [{ line: 7, message: /0s after switching traffic/, fix: /canary.scaleDownDelaySeconds/ }],
      },
    ],
  });
});
