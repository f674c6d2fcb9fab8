import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { singleReplica } from './single-replica.js';

const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n---\n';

describe('single-replica', () => {
  ruleTester(singleReplica, {
    valid: [
      { name: 'three replicas behind a Service', yaml: service + deployment({ replicas: 3 }) },
      { name: 'one replica with no Service', yaml: deployment({ replicas: 1 }) },
    ],
    invalid: [
      {
        name: 'one replica behind a Service',
        yaml: service + deployment({ replicas: 1 }),
        findings: [{ line: 12, message: /leaves the Service with no endpoint/ }],
      },
    ],
  });
});
