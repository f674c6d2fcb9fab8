import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appSettings } from '../../app-config/settings.js';
import type { ContainerBudget } from '../app-config-rule.js';
import { appDrainExceedsBudget } from './app-drain-exceeds-budget.js';

const api: ContainerBudget = {
  workload: 'Deployment api',
  container: 'api',
  graceSeconds: 60,
  preStopSeconds: 15,
  windowSeconds: 45,
};
const check = (file: string, text: string, containers: ContainerBudget[] = [api]) =>
  appDrainExceedsBudget.check({ file, text, settings: appSettings(file, text), containers });

describe('app-drain-exceeds-budget', () => {
  it('valid: the drain fits between SIGTERM and SIGKILL, or no container is linked', () => {
    assert.deepEqual(
      check('application.properties', 'spring.lifecycle.timeout-per-shutdown-phase=40s\n'),
      [],
    );
    assert.deepEqual(check('gunicorn.conf.py', 'graceful_timeout = 50\n', []), []);
  });

  it('invalid: Spring phase timeout 50 s against a 45 s window', () => {
    const [finding] = check('application.properties', 'spring.lifecycle.timeout-per-shutdown-phase=50s\n');
    assert.equal(finding?.line, 1);
    assert.match(
      finding?.message ?? '',
      /drain for up to 50s, but in Deployment api container api SIGKILL comes 45s after SIGTERM \(grace 60s - preStop 15s\)/,
    );
  });

  it('invalid: gunicorn default of 30 s against a 20 s window', () => {
    const [finding] = check('gunicorn.conf.py', 'workers = 4\n', [
      { ...api, graceSeconds: 30, preStopSeconds: 10, windowSeconds: 20 },
    ]);
    assert.match(finding?.message ?? '', /^graceful_timeout \(default\) lets the app drain for up to 30s/);
  });
});
