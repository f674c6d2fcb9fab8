/**
 * Volumes that one pod, or the pods of one node, may hold: a PersistentVolumeClaim with access mode
 * ReadWriteOncePod (one pod) or ReadWriteOnce (one node). A second pod of the workload on another
 * node waits for it, so a second replica gives no protection from a node drain. ReadWriteOnce is one
 * node, not one pod: "ReadWriteOnce access mode still can allow multiple pods to access the volume
 * when the pods are running on the same node" (Kubernetes, Persistent Volumes, access modes), so a
 * rolling update's surge pod beside the old one mounts it and takes traffic.
 */
import { getIn, getString, isObject, type JsonObject } from './json.js';
import { type Neighbours, namespaceOf } from './neighbours.js';
import type { PodTemplate } from './workloads.js';

const SINGLE_HOLDER = new Set(['ReadWriteOnce', 'ReadWriteOncePod']);

export interface HeldClaim {
  readonly name: string;
  /** Who may mount it: one pod (ReadWriteOncePod only), or the pods of one node. */
  readonly heldBy: 'pod' | 'node';
}

/** A claim the pod mounts that one pod or one node holds, as the input declares it; else undefined. */
export function singleHolderClaim(
  template: PodTemplate,
  workload: JsonObject,
  neighbours: Pick<Neighbours, 'objectsOfKind'>,
): HeldClaim | undefined {
  const volumes = getIn(template, ['spec', 'volumes']);
  const claims = (Array.isArray(volumes) ? volumes : []).flatMap((volume) => {
    const name = getString(volume, ['persistentVolumeClaim', 'claimName']);
    return name === undefined ? [] : [name];
  });
  const namespace = namespaceOf(workload);
  for (const name of claims) {
    for (const claim of neighbours.objectsOfKind('PersistentVolumeClaim')) {
      const modes = getIn(claim, ['spec', 'accessModes']);
      if (
        getString(claim, ['metadata', 'name']) === name &&
        namespaceOf(claim) === namespace &&
        Array.isArray(modes) &&
        modes.length > 0 &&
        modes.every((mode) => typeof mode === 'string' && SINGLE_HOLDER.has(mode))
      )
        return { name, heldBy: modes.every((mode) => mode === 'ReadWriteOncePod') ? 'pod' : 'node' };
    }
  }
  return undefined;
}

/** Mount paths that hold scratch, not data: temporary files, caches, logs, sockets. */
const SCRATCH_PATH =
  /^\/(?:tmp|var\/tmp|run|var\/run|dev\/shm)(?:\/|$)|(?:^|\/)(?:cache|\.cache|logs?|tmp)(?:\/|$)/;

/**
 * Where a main container writes data of its own to a volume, or undefined: a claim, or an emptyDir
 * mounted outside scratch paths (Synapse's /data with its SQLite and signing key, Nextcloud's
 * /var/www/html). Such a pod keeps state that a second copy would split or race for, so an explicit
 * `Recreate` of one replica is its design, not an oversight.
 */
export function dataVolumePath(
  template: PodTemplate,
  mainContainers: readonly JsonObject[],
): string | undefined {
  const volumes = getIn(template, ['spec', 'volumes']);
  const kept = new Set(
    (Array.isArray(volumes) ? volumes : []).flatMap((volume) =>
      isObject(volume) &&
      typeof volume.name === 'string' &&
      (volume.persistentVolumeClaim !== undefined || volume.emptyDir !== undefined)
        ? [volume.name]
        : [],
    ),
  );
  for (const container of mainContainers) {
    const mounts = container.volumeMounts;
    for (const mount of Array.isArray(mounts) ? mounts : []) {
      if (!isObject(mount) || mount.readOnly === true || typeof mount.mountPath !== 'string') continue;
      if (typeof mount.name === 'string' && kept.has(mount.name) && !SCRATCH_PATH.test(mount.mountPath))
        return mount.mountPath;
    }
  }
  return undefined;
}
