import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, redact } from './redact.js';

/** Every secret a workload's spec can carry outside env values, each planted once. */
const PLANTED = {
  urlPassword: 'pl4nted-url-pw',
  httpsPassword: 'pl4nted-https-pw',
  bearer: 'pl4ntedBearerToken0123',
  passwordArgument: 'pl4nted-arg-pw',
  shortFlag: 'pl4nted-p-pw',
  shellAssignment: 'pl4nted-shell-pw',
  vaultToken: 's.pl4ntedVaultToken',
  apiKeyAnnotation: 'pl4nted-annotation-key',
};

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web',
    annotations: {
      'vault.hashicorp.com/agent-inject-token': PLANTED.vaultToken,
      'example.com/api-key': PLANTED.apiKeyAnnotation,
      'example.com/owner': 'team-web',
    },
  },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'web:1',
        command: ['sh', '-c', `PASSWORD=${PLANTED.shellAssignment} exec node server.js --port 8080`],
        args: [
          '--db',
          `postgres://admin:${PLANTED.urlPassword}@db.shop:5432/orders`,
          '--upstream',
          `https://svc:${PLANTED.httpsPassword}@api.example.com/v1`,
          '--password',
          PLANTED.passwordArgument,
          '-p',
          PLANTED.shortFlag,
          '-P',
          '8080',
        ],
        readinessProbe: {
          httpGet: {
            path: '/healthz',
            port: 8080,
            httpHeaders: [{ name: 'Authorization', value: `Bearer ${PLANTED.bearer}` }],
          },
        },
      },
      { name: 'sidecar', image: 'proxy:1', args: ['-p', '9090', `--auth=Bearer ${PLANTED.bearer}`] },
    ],
  },
};

describe('collect redaction by shape', () => {
  it('leaves none of the planted secrets anywhere, and keeps what is not secret', () => {
    const text = JSON.stringify(redact(pod));
    for (const [where, secret] of Object.entries(PLANTED)) {
      assert.ok(!text.includes(secret), `${where} (${secret}) leaked: ${text}`);
    }
    for (const kept of [
      'postgres://admin:',
      '@db.shop:5432/orders',
      'team-web',
      '"9090"',
      '"8080"',
      'exec node server.js',
      '"Authorization"',
    ]) {
      assert.ok(text.includes(kept), `${kept} is kept`);
    }
    assert.ok(text.includes(REDACTED));
  });
});
