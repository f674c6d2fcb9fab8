import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { gracePeriodBelowWorkload } from './grace-period-below-workload.js';

describe('grace-period-below-workload', () => {
  ruleTester(gracePeriodBelowWorkload, {
    valid: [
      { name: 'http with 45 s', yaml: deployment({ podSpec: '\n      terminationGracePeriodSeconds: 45' }) },
    ],
    invalid: [
      {
        name: 'http with the 30 s default',

        yaml: deployment(),
        // What fix writes: the rule's own edit, nothing else.
        output: `${deployment()}      terminationGracePeriodSeconds: 60
`,
        findings: [{ line: 12, message: /stateless HTTP workload gets 30s \(the default\).*45-60s/ }],
      },
      {
        name: 'a StatefulSet is stateful: 60-120 s',
        yaml: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: 45\n      containers: [{name: db, image: pg:16}]\n',
        findings: [{ line: 7, message: /stateful workload gets 45s to stop; the guide gives it 60-120s/ }],
      },
    ],
  });
});
