import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { developmentEnvironment } from './environments.js';

describe('development environments', () => {
  it('are named by a namespace word or a directory', () => {
    assert.equal(
      developmentEnvironment('microservices-demo-dev', 'kustomize'),
      'namespace microservices-demo-dev',
    );
    assert.equal(developmentEnvironment(undefined, 'app/overlays/dev'), 'directory app/overlays/dev');
    assert.equal(developmentEnvironment('shop', 'deploy/kind'), 'directory deploy/kind');
  });

  it("or by a server started in its development mode: Keycloak's start-dev, vault server -dev", () => {
    assert.equal(
      developmentEnvironment('shop', 'examples/oidc', ['start-dev']),
      'a server started in its development mode (start-dev)',
    );
    assert.equal(
      developmentEnvironment(undefined, 'deploy', ['vault', 'server', '-dev']),
      'a server started in its development mode (-dev)',
    );
    assert.equal(developmentEnvironment(undefined, 'deploy', ['server', '--devices=2']), undefined);
  });

  it('are not named by a word that only contains one, nor by production names', () => {
    assert.equal(developmentEnvironment('devops', 'overlays/production'), undefined);
    assert.equal(developmentEnvironment('latest', 'overlays/staging'), undefined);
    assert.equal(developmentEnvironment(undefined, 'contest/k8s'), undefined);
  });
});
