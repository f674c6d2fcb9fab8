/**
 * lifecycle.stopSignal (KEP-4960): alpha from 1.33 behind ContainerStopSignals, and only with
 * spec.os.name set (Windows allows SIGTERM and SIGKILL only).
 */

import { getString, type JsonObject } from './json.js';
import { FEATURES, featureStage, type KubeVersion } from './kube-version.js';

export function stopSignalNote(
  container: JsonObject,
  podSpec: JsonObject,
  version: KubeVersion,
): string | undefined {
  const signal = getString(container, ['lifecycle', 'stopSignal']);
  if (signal === undefined) return undefined;
  const os = getString(podSpec, ['os', 'name']);
  if (featureStage(FEATURES.stopSignals, version) === 'unavailable') {
    return `lifecycle.stopSignal ${signal} does not exist before Kubernetes ${FEATURES.stopSignals.alpha}; the image's STOPSIGNAL (or SIGTERM) is sent instead`;
  }
  if (os === undefined) {
    return `lifecycle.stopSignal needs spec.os.name (linux or windows); the API server rejects the pod without it`;
  }
  if (os === 'windows' && signal !== 'SIGTERM' && signal !== 'SIGKILL') {
    return `Windows pods accept only SIGTERM or SIGKILL as lifecycle.stopSignal, not ${signal}`;
  }
  return `lifecycle.stopSignal ${signal} is alpha (${FEATURES.stopSignals.name}, ${FEATURES.stopSignals.source}): ignored unless the cluster enables the gate and the runtime supports it (containerd 2.3+, CRI-O with KEP-4960)`;
}
