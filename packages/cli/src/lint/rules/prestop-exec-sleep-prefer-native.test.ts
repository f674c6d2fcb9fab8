import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { prestopExecSleepPreferNative } from './prestop-exec-sleep-prefer-native.js';

const exec = deployment({
  container:
    '\n          lifecycle:\n            preStop:\n              exec: {command: ["/bin/sh", "-c", "sleep 15"]}',
});

describe('prestop-exec-sleep-prefer-native', () => {
  ruleTester(prestopExecSleepPreferNative, {
    valid: [{ name: 'exec sleep on 1.29, where native sleep is off', yaml: exec, kubeVersion: '1.29' }],
    invalid: [
      {
        name: 'exec sleep on 1.31',

        yaml: exec,
        // What fix writes: the rule's own edit, nothing else.
        output: exec.replace(
          '              exec: {command: ["/bin/sh", "-c", "sleep 15"]}\n',
          '              sleep:\n                seconds: 15\n',
        ),
        kubeVersion: '1.31',
        findings: [{ line: 20, message: /needs a shell and a sleep binary/ }],
      },
    ],
  });
});
