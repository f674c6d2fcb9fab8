import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { prestopSleepActionUnsupported } from './prestop-sleep-action-unsupported.js';

const sleep = (seconds: number) =>
  deployment({
    container: `\n          lifecycle:\n            preStop:\n              sleep: {seconds: ${seconds}}`,
  });

describe('prestop-sleep-action-unsupported', () => {
  ruleTester(prestopSleepActionUnsupported, {
    valid: [
      { name: 'native sleep on 1.30 (beta, on)', yaml: sleep(15), kubeVersion: '1.30' },
      { name: 'sleep 0 on 1.33', yaml: sleep(0), kubeVersion: '1.33' },
    ],
    invalid: [
      {
        name: 'native sleep on 1.29 (alpha, off: skipped)',

        yaml: sleep(15),
        // What fix writes: the rule's own edit, nothing else.
        output: sleep(15).replace(
          '              sleep: {seconds: 15}\n',
          // The sleep was skipped: the exec sleep that runs takes 15 s of the default grace, so the grace comes with it.
          '              exec:\n                command:\n                  - /bin/sh\n                  - -c\n                  - sleep 15\n      terminationGracePeriodSeconds: 60\n',
        ),
        kubeVersion: '1.29',
        findings: [{ line: 20, message: /skips the sleep/ }],
      },
      {
        name: 'native sleep on 1.28 (rejected)',
        yaml: sleep(15),
        kubeVersion: '1.28',
        findings: [{ line: 20, message: /rejects preStop\.sleep/ }],
      },
      {
        name: 'sleep 0 on 1.32',
        yaml: sleep(0),
        kubeVersion: '1.32',
        findings: [{ line: 20, message: /seconds: 0 needs Kubernetes 1\.33/ }],
      },
    ],
  });
});
