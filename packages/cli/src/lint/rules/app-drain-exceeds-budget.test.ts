import { describe } from 'node:test';
import { appConfigRuleTester } from '../../testing/rule-tester.js';
import type { ContainerBudget } from '../app-config-rule.js';
import { appDrainExceedsBudget } from './app-drain-exceeds-budget.js';

const api: ContainerBudget = {
  workload: 'Deployment api',
  container: 'api',
  graceSeconds: 60,
  preStopSeconds: 15,
  windowSeconds: 45,
};

describe('app-drain-exceeds-budget', () => {
  appConfigRuleTester(appDrainExceedsBudget, {
    valid: [
      {
        name: 'the drain fits between SIGTERM and SIGKILL',
        file: 'application.properties',
        text: 'spring.lifecycle.timeout-per-shutdown-phase=40s\n',
        containers: [api],
      },
      { name: 'no container is linked', file: 'gunicorn.conf.py', text: 'graceful_timeout = 50\n' },
    ],
    invalid: [
      {
        name: 'Spring phase timeout 50 s against a 45 s window',
        file: 'application.properties',
        text: 'spring.lifecycle.timeout-per-shutdown-phase=50s\n',
        containers: [api],
        findings: [
          {
            line: 1,
            message:
              /drain for up to 50s, but in Deployment api container api SIGKILL comes 45s after SIGTERM \(grace 60s - preStop 15s\)/,
          },
        ],
      },
      {
        name: 'gunicorn default of 30 s against a 20 s window',
        file: 'gunicorn.conf.py',
        text: 'workers = 4\n',
        containers: [{ ...api, graceSeconds: 30, preStopSeconds: 10, windowSeconds: 20 }],
        findings: [{ line: 1, message: /^graceful_timeout \(default\) lets the app drain for up to 30s/ }],
      },
    ],
  });
});
