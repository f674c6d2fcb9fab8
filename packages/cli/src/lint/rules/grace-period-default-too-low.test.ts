import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { gracePeriodDefaultTooLow } from './grace-period-default-too-low.js';

const sleep = (seconds: number) =>
  `\n          lifecycle:\n            preStop:\n              sleep: {seconds: ${seconds}}`;

describe('grace-period-default-too-low', () => {
  ruleTester(gracePeriodDefaultTooLow, {
    valid: [
      {
        name: 'grace set explicitly',
        yaml: deployment({ podSpec: '\n      terminationGracePeriodSeconds: 60', container: sleep(15) }),
      },
      { name: 'short preStop with the default', yaml: deployment({ container: sleep(5) }) },
    ],
    invalid: [
      {
        name: '15 s preStop with the 30 s default',

        yaml: deployment({ container: sleep(15) }),
        // What fix writes: the rule's own edit, nothing else.
        output: `${deployment({ container: sleep(15) })}      terminationGracePeriodSeconds: 60
`,
        findings: [{ line: 12, message: /has 15s between SIGTERM and SIGKILL/ }],
      },
    ],
  });
});
