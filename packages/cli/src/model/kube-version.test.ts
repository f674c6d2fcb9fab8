import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enabledByDefault, FEATURES, featureStage, parseKubeVersion } from './kube-version.js';

const version = (text: string) => parseKubeVersion(text) ?? assert.fail(text);

describe('Kubernetes versions', () => {
  it('parses the forms kubectl version and cloud providers print', () => {
    assert.deepEqual(parseKubeVersion('1.31'), { major: 1, minor: 31 });
    assert.deepEqual(parseKubeVersion('v1.31.2'), { major: 1, minor: 31 });
    assert.deepEqual(parseKubeVersion('1.30.4-eks-a737599'), { major: 1, minor: 30 });
    assert.equal(parseKubeVersion('latest'), undefined);
  });

  it('PodLifecycleSleepAction: alpha 1.29 (off), beta 1.30 (on), GA 1.34 (KEP-3960)', () => {
    assert.equal(featureStage(FEATURES.sleepAction, version('1.28')), 'unavailable');
    assert.equal(featureStage(FEATURES.sleepAction, version('1.29')), 'alpha');
    assert.equal(enabledByDefault(FEATURES.sleepAction, version('1.29')), false);
    assert.equal(featureStage(FEATURES.sleepAction, version('1.30')), 'beta');
    assert.equal(featureStage(FEATURES.sleepAction, version('1.34')), 'ga');
  });

  it('ContainerStopSignals is alpha from 1.33 and off by default in every release (KEP-4960)', () => {
    assert.equal(featureStage(FEATURES.stopSignals, version('1.32')), 'unavailable');
    assert.equal(featureStage(FEATURES.stopSignals, version('1.36')), 'alpha');
    assert.equal(enabledByDefault(FEATURES.stopSignals, version('1.36')), false);
  });

  it('SidecarContainers is on by default from beta 1.29 (KEP-753)', () => {
    assert.equal(enabledByDefault(FEATURES.sidecarContainers, version('1.28')), false);
    assert.equal(enabledByDefault(FEATURES.sidecarContainers, version('1.29')), true);
  });
});
