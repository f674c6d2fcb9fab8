import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapBounded } from './bounded.js';

describe('mapBounded', () => {
  it('runs up to the bound at once, never more, and keeps the order of the items', async () => {
    let running = 0;
    let most = 0;
    const results = await mapBounded(
      [30, 10, 20, 5, 25, 15, 1],
      async (ms) => {
        running++;
        most = Math.max(most, running);
        await sleep(ms);
        running--;
        return ms * 2;
      },
      3,
    );
    assert.deepEqual(results, [60, 20, 40, 10, 50, 30, 2]);
    assert.equal(most, 3);
  });

  it('with no items, does nothing', async () => {
    assert.deepEqual(await mapBounded([], async () => 1, 4), []);
  });
});
