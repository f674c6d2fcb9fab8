import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { prestopMissing } from './prestop-missing.js';

describe('prestop-missing', () => {
  ruleTester(prestopMissing, {
    valid: [
      {
        name: 'native sleep',
        yaml: deployment({ container: '\n          lifecycle: {preStop: {sleep: {seconds: 15}}}' }),
      },
      {
        name: 'a worker with no port and no Service',
        yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  template:\n    spec:\n      containers: [{name: worker, image: w:1}]\n',
      },
    ],
    invalid: [
      {
        name: 'serving container without hook',

        yaml: deployment(),
        // What fix writes: the rule's own edit, nothing else.
        output: `${deployment()}          lifecycle:
            preStop:
              sleep:
                seconds: 15
`,
        findings: [{ line: 14, message: /SIGTERM reaches app at t=0s/, container: 'app' }],
      },
      {
        name: 'no port, but a Service selects the pod',
        yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: app\n          image: web:1\n',
        findings: [{ line: 15, message: /while kube-proxy and ingress still route/ }],
      },
    ],
  });
});
