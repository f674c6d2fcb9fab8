import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeCommand, nodeImage, shellLessImage } from './images.js';

describe('what an image name says', () => {
  it('Node images: official, mirrored, Chainguard, distroless, Bitnami; not node-exporter', () => {
    const yes = [
      'node:20-alpine',
      'docker.io/library/node:20',
      'mirror.example:5000/library/node@sha256:abc',
      'cgr.dev/chainguard/node:latest',
      'gcr.io/distroless/nodejs20-debian12',
      'bitnami/node:18',
    ];
    const no = ['nginx:1.27', 'prom/node-exporter:v1.8.0', 'registry.example/nodeapp:1', 'python:3.12'];
    assert.deepEqual(
      yes.filter((image) => !nodeImage(image)),
      [],
    );
    assert.deepEqual(no.filter(nodeImage), []);
  });

  it('Node commands: node, its package managers, and a sh -c script that runs one', () => {
    assert.ok(nodeCommand(['node', 'server.js']));
    assert.ok(nodeCommand(['/usr/local/bin/node', 'dist/main.js']));
    assert.ok(nodeCommand(['npm', 'start']));
    assert.ok(nodeCommand(['sh', '-c', 'cd /app && NODE_ENV=production node server.js']));
    assert.ok(nodeCommand(['node server.js'])); // a Dockerfile's shell form
    assert.ok(!nodeCommand(['gunicorn', 'app:app']));
    assert.ok(!nodeCommand(['./node_modules/.bin/next', 'start']));
    assert.ok(!nodeCommand([]));
  });

  it('shell-less images: distroless and Chainguard, except their debug and dev variants', () => {
    assert.ok(shellLessImage('gcr.io/distroless/nodejs20-debian12'));
    assert.ok(!shellLessImage('gcr.io/distroless/nodejs20-debian12:debug'));
    assert.ok(shellLessImage('cgr.dev/chainguard/node:latest'));
    assert.ok(!shellLessImage('cgr.dev/chainguard/node:latest-dev'));
    assert.ok(!shellLessImage('node:20'));
  });
});
