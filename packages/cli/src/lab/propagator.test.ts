import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Endpoint, endpointOf } from '../cluster/endpoints.js';
import { seededRandom } from '../cluster/propagation.js';
import { EventLog, monotonicClock } from '../recording/records.js';
import { EndpointPropagator, EndpointView } from './propagator.js';

const endpoint = (pod: string, terminating: boolean): Endpoint =>
  endpointOf({ pod, host: '127.0.0.1', port: 1, podReady: true, terminating });

describe('endpoint propagation', () => {
  it('ends every view on the newest state, in order, whatever the delays', async () => {
    const random = seededRandom(3);
    const views = [1, 2, 3].map((n) => new EndpointView(`node-${n}`, 'kube-proxy', () => random() * 0.02));
    const log = new EventLog(monotonicClock());
    const propagator = new EndpointPropagator(views, log);
    propagator.settle([endpoint('a', false), endpoint('b', false)]);
    for (let i = 0; i <= 20; i++) {
      propagator.publish([endpoint('a', i % 2 === 0), endpoint('b', false)]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const view of views) {
      assert.deepEqual(
        view.routable().map((e) => e.pod),
        ['b'],
        `${view.name} applied the last change (a terminating) last`,
      );
    }
    for (const view of views) {
      // After the settled start (a added), a's removals and additions alternate.
      const mine = log.events
        .filter((e) => e.node === view.name && e.pod === 'a')
        .map((e) => e.type)
        .slice(1);
      // removed and added alternate, starting and ending with removed: no change was applied twice or out of order.
      for (const [i, type] of mine.entries()) {
        assert.equal(type, i % 2 === 0 ? 'endpoint-removed' : 'endpoint-added');
      }
      assert.equal(mine.at(-1), 'endpoint-removed');
    }
    propagator.stop();
  });
});
