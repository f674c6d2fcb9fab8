import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonObject } from '../model/json.js';
import { type ClusterApi, ClusterError, ProtocolError, type WatchEvent, type WatchStream } from './api.js';
import { Reflector } from './reflector.js';

/** A fake API: lists answer one pod; each watch does what `watch` says. */
function fakeApi(watch: (n: number) => Promise<void>): ClusterApi & { lists: number; watches: number } {
  const api = {
    server: 'fake',
    namespace: 'default',
    lists: 0,
    watches: 0,
    async get(): Promise<JsonObject> {
      api.lists++;
      return {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '1' },
        items: [{ metadata: { name: 'p', resourceVersion: '1' } }],
      };
    },
    async patch(): Promise<JsonObject> {
      return {};
    },
    watch(_path: string, _query: unknown, _onEvent: (event: WatchEvent) => void): WatchStream {
      const done = watch(api.watches++);
      return { done, stop: () => {} };
    },
  };
  return api;
}

describe('reflector against a bad API server', () => {
  it('backs off when every watch answers 410 Gone, instead of relisting in a tight loop', async () => {
    const api = fakeApi(async () => {
      throw new ClusterError('gone', 410);
    });
    const reflector = new Reflector(api, '/api/v1/pods', {}, () => {});
    await sleep(2000);
    reflector.stop();
    await reflector.finished;
    assert.ok(api.lists <= 12, `${api.lists} lists in 2 s`);
    assert.ok(api.lists >= 3, 'it does relist');
    assert.match(
      reflector.trouble()?.error ?? '',
      /410 Gone .* to every watch, even right after a fresh list/,
    );
  });

  it('retries a 500 on a watch reconnect, and keeps watching', async () => {
    const api = fakeApi(async (n) => {
      if (n === 1) throw new ClusterError('internal error', 500);
      await sleep(50);
    });
    const reflector = new Reflector(api, '/api/v1/pods', {}, () => {});
    await sleep(1500);
    reflector.stop();
    await reflector.finished;
    assert.ok(api.watches >= 3, `${api.watches} watches`);
    assert.equal(reflector.trouble(), undefined, 'well again after the retry');
  });

  it('says what keeps failing while it retries, for the report of a rollout that did not finish', async () => {
    const api = fakeApi(async () => {
      throw new ClusterError('connection reset by the API server');
    });
    const reflector = new Reflector(api, '/api/v1/pods', {}, () => {});
    await sleep(600);
    const trouble = reflector.trouble();
    assert.equal(trouble?.resource, 'pods');
    assert.equal(trouble?.error, 'connection reset by the API server');
    assert.ok((trouble?.attempts ?? 0) >= 2, JSON.stringify(trouble));
    reflector.stop();
    await reflector.finished;
  });

  it('ends with one line saying what the server did wrong when it breaks the protocol', async () => {
    const api = fakeApi(async () => {
      throw new ProtocolError('the watch of /api/v1/pods sent a line that is not JSON: {oops');
    });
    const reflector = new Reflector(api, '/api/v1/pods', {}, () => {});
    await assert.rejects(reflector.finished, /sent a line that is not JSON/);
  });
});
