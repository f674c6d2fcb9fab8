import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { prestopSleepOutOfRange } from './prestop-sleep-out-of-range.js';

const sleep = (seconds: number) =>
  deployment({
    container: `\n          lifecycle:\n            preStop:\n              sleep: {seconds: ${seconds}}`,
  });

describe('prestop-sleep-out-of-range', () => {
  ruleTester(prestopSleepOutOfRange, {
    valid: [
      { name: '15 s on a medium cluster', yaml: sleep(15), profile: 'medium' },
      { name: '5 s on a small cluster', yaml: sleep(5), profile: 'small' },
    ],
    invalid: [
      {
        name: '5 s on a large cluster',

        yaml: sleep(5),
        // What fix writes: the rule's own edit, nothing else.
        output: sleep(5).replace(
          '              sleep: {seconds: 5}\n',
          '              sleep:\n                seconds: 30\n',
        ),
        profile: 'large',
        findings: [{ line: 20, messageId: 'tooShort', data: { seconds: 5 } }],
      },
      {
        // The API server rejects a sleep longer than the grace period: this one has 90 s.
        name: '60 s on a small cluster',
        yaml: sleep(60).replace('    spec:\n', '    spec:\n      terminationGracePeriodSeconds: 90\n'),
        profile: 'small',
        findings: [{ line: 21, messageId: 'tooLong', data: { basis: 'a small cluster' } }],
      },
      {
        name: '10 s behind a LoadBalancer Service: the external load balancers row, 15-30 s',
        yaml: `apiVersion: v1\nkind: Service\nmetadata: {name: shop}\nspec: {type: LoadBalancer, selector: {app: web}}\n---\n${sleep(10)}`,
        findings: [
          {
            line: 25,
            messageId: 'tooShort',
            data: { basis: 'an external load balancer (LoadBalancer Service shop)', min: 15, max: 30 },
          },
        ],
      },
    ],
  });
});
