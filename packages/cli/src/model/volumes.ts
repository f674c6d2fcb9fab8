/**
 * Volumes that only one pod may hold: a PersistentVolumeClaim with access mode ReadWriteOnce (one
 * node) or ReadWriteOncePod (one pod). A second pod of the workload waits for it: a surge hangs
 * until the old pod is gone, and a second replica never starts, so such a workload restarts with a
 * gap whatever its strategy says (Prometheus' server on its database volume).
 */
import { getIn, getString, type JsonObject } from './json.js';
import { type Neighbours, namespaceOf } from './neighbours.js';
import type { PodTemplate } from './workloads.js';

const SINGLE_HOLDER = new Set(['ReadWriteOnce', 'ReadWriteOncePod']);

/** The name of a claim the pod mounts that only one pod can hold, as the input declares it; else undefined. */
export function singleHolderClaim(
  template: PodTemplate,
  workload: JsonObject,
  neighbours: Pick<Neighbours, 'objectsOfKind'>,
): string | undefined {
  const volumes = getIn(template, ['spec', 'volumes']);
  const claims = (Array.isArray(volumes) ? volumes : []).flatMap((volume) => {
    const name = getString(volume, ['persistentVolumeClaim', 'claimName']);
    return name === undefined ? [] : [name];
  });
  const namespace = namespaceOf(workload);
  return claims.find((name) =>
    neighbours.objectsOfKind('PersistentVolumeClaim').some((claim) => {
      const modes = getIn(claim, ['spec', 'accessModes']);
      return (
        getString(claim, ['metadata', 'name']) === name &&
        namespaceOf(claim) === namespace &&
        Array.isArray(modes) &&
        modes.length > 0 &&
        modes.every((mode) => typeof mode === 'string' && SINGLE_HOLDER.has(mode))
      );
    }),
  );
}
