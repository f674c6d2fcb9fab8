import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { readinessProbeMissing } from './readiness-probe-missing.js';

describe('readiness-probe-missing', () => {
  ruleTester(readinessProbeMissing, {
    valid: [
      {
        name: 'httpGet readiness probe',
        yaml: deployment({ container: '\n          readinessProbe: {httpGet: {path: /ready, port: 8080}}' }),
      },
    ],
    invalid: [
      {
        name: 'serving container without probe',
        yaml: deployment(),
        findings: [{ line: 14, message: /counts as ready as soon as it starts/ }],
      },
    ],
  });
});
