import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossedThresholds, parseThresholds } from './thresholds.js';

const values = { errors: 3, 'error-rate': 0.002, p50: 2, p99: 40, max: 120, window: 800, sigkill: 0 };

describe('--fail-on thresholds', () => {
  it('parses units: percent, ms and s', () => {
    assert.deepEqual(parseThresholds('errors>0, error-rate>=0.1%, p99>500ms, window>1s'), [
      { metric: 'errors', operator: '>', value: 0, text: 'errors>0' },
      { metric: 'error-rate', operator: '>=', value: 0.001, text: 'error-rate>=0.1%' },
      { metric: 'p99', operator: '>', value: 500, text: 'p99>500ms' },
      { metric: 'window', operator: '>', value: 1000, text: 'window>1s' },
    ]);
  });

  it('names the part it cannot read', () => {
    assert.match(parseThresholds('errors>0,latency>5') as string, /cannot read --fail-on "latency>5"/);
    assert.match(parseThresholds(' ') as string, /empty/);
  });

  it('reports exactly the thresholds crossed', () => {
    const thresholds = parseThresholds('errors>0,error-rate>1%,p99>30ms,window>1s,sigkill>0');
    assert.ok(Array.isArray(thresholds));
    assert.deepEqual(
      crossedThresholds(thresholds, values).map((t) => t.text),
      ['errors>0', 'p99>30ms'],
    );
  });
});
