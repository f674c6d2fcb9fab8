import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LabFlags, resolveLabFlags } from './options.js';

const defaults: LabFlags = {
  restarts: '1',
  scenario: 'rollout',
  duration: '30s',
  keepalive: 'on',
  method: 'GET',
  path: '/',
  dataPlane: 'both',
  readyTimeout: '60s',
  timeout: '10s',
  failOn: 'errors>0,sigkill>0',
  port: '8080',
  upstreamKeepalive: '60s',
};

describe('lab flags', () => {
  it('resolves the defaults: open model at 200/s, both planes, 1-4 s propagation', () => {
    const resolved = resolveLabFlags({ ...defaults, seed: '1' });
    assert.deepEqual(resolved.model, { kind: 'open', rate: 200 });
    assert.deepEqual(resolved.planes, ['kube-proxy', 'ingress']);
    assert.deepEqual(resolved.propagation, { min: 1, max: 4 });
    assert.equal(resolved.durationMs, 30_000);
    assert.equal(resolved.body, undefined);
  });

  it('maps --nodes and --profile to the propagation of that cluster size', () => {
    assert.deepEqual(resolveLabFlags({ ...defaults, nodes: '40' }).propagation, { min: 0.2, max: 1 });
    assert.deepEqual(resolveLabFlags({ ...defaults, profile: 'large' }).propagation, { min: 10, max: 30 });
  });

  it("takes the ingress's upstream keep-alive timeout: 60 s by default, as ingress-nginx", () => {
    assert.equal(resolveLabFlags(defaults).upstreamKeepAliveMs, 60_000);
    assert.equal(resolveLabFlags({ ...defaults, upstreamKeepalive: '3s' }).upstreamKeepAliveMs, 3000);
    assert.throws(() => resolveLabFlags({ ...defaults, upstreamKeepalive: 'soon' }), /--upstream-keepalive/);
  });

  it('gives POST a body and a closed model its concurrency', () => {
    const resolved = resolveLabFlags({ ...defaults, method: 'post', concurrency: '20' });
    assert.equal(resolved.method, 'POST');
    assert.equal(resolved.body, '{"lameduck":"load"}');
    assert.deepEqual(resolved.model, { kind: 'closed', concurrency: 20 });
  });

  it('names the flag that is wrong', () => {
    assert.throws(
      () => resolveLabFlags({ ...defaults, restarts: '0' }),
      /--restarts must be a whole number of at least 1, not "0"/,
    );
    assert.throws(
      () => resolveLabFlags({ ...defaults, duration: 'soon' }),
      /--duration must be a duration such as 30s/,
    );
    assert.throws(
      () => resolveLabFlags({ ...defaults, scenario: 'chaos' }),
      /--scenario must be one of rollout, evict, scale-in/,
    );
    assert.throws(() => resolveLabFlags({ ...defaults, path: 'api' }), /--path must start with \//);
  });
});
