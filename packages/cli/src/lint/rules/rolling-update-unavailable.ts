import { getNumber, getObject, getString } from '../../model/json.js';
import { resolveRollingUpdate } from '../../model/rolling-update.js';
import {
  DOCS_BASE,
  dataKeeper,
  type Rule,
  recreateByDesign,
  servingContainers,
  singleHolder,
} from '../rule.js';

export const rollingUpdateUnavailable: Rule = {
  id: 'rolling-update-unavailable',
  severity: 'warning',
  description: 'A rolling update that may remove a serving pod before its replacement is ready, or Recreate.',
  docs: `${DOCS_BASE}#rolling-update-unavailable`,
  messages: {
    recreate: 'Recreate stops every pod before the new ones start: each rollout is an outage',
    capacityDrops:
      'maxUnavailable {maxUnavailable} of {replicas} replicas lets the rollout remove {unavailable} serving pod(s) before their replacements are ready: capacity drops while the old pods drain',
    noneLeft:
      'maxUnavailable {maxUnavailable} with maxSurge {maxSurge} lets the rollout remove all {replicas} serving pod(s) before a replacement is ready: each rollout is an outage',
  },
  fixedBy: 'rolling-update',
  check(context) {
    if (context.kind !== 'Deployment' || servingContainers(context).length === 0) return [];
    const { object } = context;
    const replicas = getNumber(object, ['spec', 'replicas']) ?? 1;
    // No pod to remove (a Deployment an Argo Rollout runs through its workloadRef is scaled to 0).
    if (replicas === 0) return [];
    if (getString(object, ['spec', 'strategy', 'type']) === 'Recreate') {
      // A singleton that serves no Service (a controller, a leader-elected worker) chose Recreate so
      // that two never run at once: not a zero-downtime bug.
      if (replicas === 1 && context.services.length === 0) return [];
      // On a volume only one pod may hold, a surge would wait for the old pod forever: Recreate is
      // the only strategy that rolls, and single-replica speaks of the gap.
      if (singleHolder(context)) return [];
      // One data store (a second instance during a rollout would hold its own copy of the data: an
      // in-memory Pushgateway, Jaeger all-in-one), or a controller kept from running twice
      // (external-dns, an operator): Recreate is its design, single-replica speaks of the gap.
      if (replicas === 1 && recreateByDesign(context)) return [];
      return [
        {
          path: ['spec', 'strategy', 'type'],
          messageId: 'recreate',
          fix: 'strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}',
        },
      ];
    }
    const fields = getObject(object, ['spec', 'strategy', 'rollingUpdate']) ?? {};
    const { unavailable } = resolveRollingUpdate(fields.maxSurge, fields.maxUnavailable, replicas);
    if (unavailable === 0) return [];
    // The controller keeps replicas - maxUnavailable ready: with that at 0, it may remove every old
    // pod before a new one is ready (a surge pod starting does not count).
    const noneLeft = unavailable >= replicas;
    // One data store, or a pod on a volume one node holds: a surge would start a second copy on the
    // same data, or wait for the volume. Recreate is the strategy that rolls it; the outage stays.
    const store = replicas === 1 && (dataKeeper(context) !== undefined || singleHolder(context));
    return [
      {
        path: ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'],
        messageId: noneLeft ? 'noneLeft' : 'capacityDrops',
        // Pods that stay serving while others drain lose no request by themselves: less capacity is
        // worth knowing, not a warning; no pod left to serve is.
        ...(noneLeft ? {} : { severity: 'info' as const }),
        data: {
          maxUnavailable: String(fields.maxUnavailable ?? '25%'),
          maxSurge: String(fields.maxSurge ?? '25%'),
          replicas,
          unavailable,
        },
        fix: store
          ? 'strategy: {type: Recreate}: two copies of one store must not run at once, so no surge can cover its restart; single-replica gives the restart-window advice'
          : 'rollingUpdate: {maxUnavailable: 0, maxSurge: 1}',
      },
    ];
  },
};
