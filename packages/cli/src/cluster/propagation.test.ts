import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTime, parsePropagation, sampleSeconds, seededRandom } from './propagation.js';

describe('propagation', () => {
  it('parses ranges with units', () => {
    assert.deepEqual(parsePropagation('2s..4s'), { min: 2, max: 4 });
    assert.deepEqual(parsePropagation('500ms..2s'), { min: 0.5, max: 2 });
    assert.deepEqual(parsePropagation('1.5'), { min: 1.5, max: 1.5 });
    assert.equal(parsePropagation('4s..2s'), undefined);
    assert.equal(parsePropagation('soon'), undefined);
  });

  it('samples inside the range, the same way for the same seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    for (let i = 0; i < 100; i++) {
      const value = sampleSeconds({ min: 2, max: 4 }, a);
      assert.ok(value >= 2 && value < 4);
      assert.equal(value, sampleSeconds({ min: 2, max: 4 }, b));
    }
  });

  it('never applies a change before an earlier one', () => {
    assert.equal(applyTime(10, 1, 12.5), 12.5);
    assert.equal(applyTime(10, 3, 12.5), 13);
  });
});
