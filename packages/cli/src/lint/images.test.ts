import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dockerfileFacts } from '../dockerfile/facts.js';
import { objectsOf } from '../manifests/objects.js';
import { parseSource } from '../manifests/parse.js';
import { imageLinker, linkReason, listensAtOnce } from './images.js';

/** The linker over Dockerfiles in the given directories and one Deployment of `image`. */
function linkerFor(directories: readonly string[], image: string) {
  const { parsed } = parseSource({
    name: 'k8s/app.yaml',
    text: `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: ${image}}, {name: side, image: side:1}]\n`,
  });
  if (!parsed) assert.fail('fixture did not parse');
  const dockerfiles = directories.map((directory) => ({
    facts:
      dockerfileFacts(`${directory}/Dockerfile`, 'FROM node:20\nCMD ["node", "server.js"]\n') ??
      assert.fail(),
  }));
  return imageLinker(objectsOf(parsed).objects, dockerfiles, new Map());
}

describe('image links', () => {
  it('links an image whose name ends in one directory name after a project prefix (robot-shop rs-cart, hello-k8s-node)', () => {
    const link = linkerFor(
      ['cart', 'catalogue', 'web'],
      'robotshop/rs-cart:2.1.0',
    )('robotshop/rs-cart:2.1.0');
    assert.equal(link?.facts.file, 'cart/Dockerfile');
    assert.equal(link && linkReason(link), 'linked by its directory name, which ends the image name');
    assert.equal(
      linkerFor(
        ['tutorials/node', 'tutorials/python'],
        'ghcr.io/dapr/samples/hello-k8s-node:latest',
      )('ghcr.io/dapr/samples/hello-k8s-node:latest')?.facts.file,
      'tutorials/node/Dockerfile',
    );
  });

  it('prefers the whole name, and leaves an ambiguous or too short suffix unlinked', () => {
    assert.equal(
      linkerFor(['api', 'shop-api'], 'shop-api:1')('shop-api:1')?.facts.file,
      'shop-api/Dockerfile',
    );
    assert.equal(
      linkerFor(['api', 'v2-api'], 'acme-v2-api:1')('acme-v2-api:1'),
      undefined,
      'two suffixes match',
    );
    assert.equal(
      linkerFor(['ui', 'db'], 'shop-ui:1')('shop-ui:1'),
      undefined,
      'a two-letter directory says too little',
    );
    assert.equal(
      linkerFor(['cart', 'web'], 'cartservice:1')('cartservice:1'),
      undefined,
      'a suffix without a separator',
    );
  });
});

describe('servers that listen at once', () => {
  it('knows nginx by name or base, the small echo servers by name, and nothing else without a Go build', () => {
    assert.equal(listensAtOnce('nginx:1.27', undefined), 'nginx');
    assert.equal(listensAtOnce('nginxdemos/nginx-hello:plain-text', undefined), 'nginx');
    assert.equal(listensAtOnce('nginx-ingress-controller:1.9', undefined), undefined);
    assert.match(
      listensAtOnce('registry.k8s.io/gateway-api/conformance/echo-basic:v0.1.0', undefined) ?? '',
      /^echo-basic/,
    );
    assert.match(listensAtOnce('traefik/whoami@sha256:abc', undefined) ?? '', /^whoami/);
    assert.equal(listensAtOnce('shop/whoami-api:1', undefined), undefined);
    assert.equal(listensAtOnce('shop/api:1', undefined), undefined);
  });
});
