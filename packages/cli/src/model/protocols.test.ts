import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerProtocol } from './protocols.js';

const ports = (...list: object[]) => ({ name: 'c', ports: list });

describe('what a container speaks', () => {
  it('by the port name first, then by a well-known number; unknown otherwise', () => {
    assert.deepEqual(containerProtocol(ports({ name: 'http', containerPort: 6379 })), { kind: 'http' });
    assert.deepEqual(containerProtocol(ports({ name: 'http-metrics', containerPort: 9100 })), {
      kind: 'http',
    });
    assert.equal(containerProtocol(ports({ containerPort: 6379 })).kind, 'other');
    assert.deepEqual(containerProtocol(ports({ name: 'postgres', containerPort: 15432 })), {
      kind: 'other',
      port: 15432,
      server: 'PostgreSQL',
      client: 'pg_isready',
    });
    assert.deepEqual(containerProtocol(ports({ containerPort: 8080 })), { kind: 'unknown' });
    assert.deepEqual(containerProtocol({ name: 'c' }), { kind: 'unknown' });
  });
});
