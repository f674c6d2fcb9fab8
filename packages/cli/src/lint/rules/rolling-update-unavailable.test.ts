import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { rollingUpdateUnavailable } from './rolling-update-unavailable.js';

describe('rolling-update-unavailable', () => {
  ruleTester(rollingUpdateUnavailable, {
    valid: [
      {
        name: 'Recreate on a singleton that no Service selects (a controller)',
        yaml: deployment({ replicas: 1, extra: '\n  strategy: {type: Recreate}' }),
      },
      { name: 'defaults with 3 replicas resolve to 0 unavailable', yaml: deployment({ replicas: 3 }) },
      {
        name: 'maxUnavailable 0',
        yaml: deployment({
          replicas: 10,
          extra: '\n  strategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}',
        }),
      },
    ],
    invalid: [
      {
        name: 'defaults with 4 replicas: 1 unavailable',
        // What fix writes: the rule's own edit, nothing else.
        output: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: web:1
          ports:
            - containerPort: 8080
  strategy:
    rollingUpdate:
      maxUnavailable: 0
`,
        yaml: deployment({ replicas: 4 }),
        findings: [{ line: 5, message: /remove 1 serving pod\(s\)/ }],
      },
      {
        name: 'Recreate',
        yaml: deployment({ extra: '\n  strategy: {type: Recreate}' }),
        findings: [{ line: 9, message: /Recreate stops every pod/ }],
      },
    ],
  });
});
