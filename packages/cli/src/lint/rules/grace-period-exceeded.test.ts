import { readFileSync } from 'node:fs';
import { describe } from 'node:test';
import { repoRoot } from '../../testing/helpers.js';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { gracePeriodExceeded } from './grace-period-exceeded.js';

const hook = '\n          lifecycle:\n            preStop:\n              sleep: {seconds: 15}';
const grace = (seconds: number) => `\n      terminationGracePeriodSeconds: ${seconds}`;

describe('grace-period-exceeded', () => {
  ruleTester(gracePeriodExceeded, {
    valid: [
      {
        name: 'grace 0 and no preStop on a port-less pause container (a placeholder preempted at once): no hook uses the grace',
        yaml: deployment({ podSpec: grace(0) })
          .replace('image: web:1', 'image: registry.k8s.io/pause:3.10')
          .replace(/\n\s+ports:\n\s+- containerPort: 8080/, ''),
      },
      {
        name: "the guide's complete configuration",
        yaml: readFileSync(`${repoRoot}examples/guide/deployment.yaml`, 'utf8'),
      },
      {
        name: 'drain unknown and preStop well inside grace',
        yaml: deployment({ podSpec: grace(30), container: hook }),
      },
    ],
    invalid: [
      {
        name: 'default 30 s, preStop 15, drain 20: SIGKILL 5 s early',

        yaml: deployment({ container: hook }),
        // What fix writes: the rule's own edit, nothing else.
        output: `${deployment({ container: hook })}      terminationGracePeriodSeconds: 45
`,
        drainSeconds: 20,
        findings: [{ line: 12, messageId: 'drainCut', data: { sigkill: '30s', short: '5s', drain: '20s' } }],
      },
      {
        name: 'within the drain but inside the buffer',
        yaml: deployment({ podSpec: grace(40), container: hook }),
        drainSeconds: 20,
        findings: [{ line: 13, messageId: 'bufferTooSmall', data: { slack: '5s' } }],
      },
      {
        name: 'preStop as long as the grace period: only the 2 s floor',
        yaml: deployment({ podSpec: grace(15), container: hook }),
        findings: [{ line: 13, messageId: 'preStopUsesGrace', data: { grace: '15s' } }],
      },
    ],
  });
});
