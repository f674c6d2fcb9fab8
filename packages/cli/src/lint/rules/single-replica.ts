import { getNumber } from '../../model/json.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const singleReplica: Rule = {
  id: 'single-replica',
  severity: 'warning',
  description: 'One replica behind a Service.',
  docs: `${DOCS_BASE}#single-replica`,
  check(context) {
    if (
      !['Deployment', 'StatefulSet', 'ReplicaSet', 'Rollout'].includes(context.kind) ||
      context.services.length === 0
    )
      return [];
    const replicas = getNumber(context.object, ['spec', 'replicas']) ?? 1;
    if (replicas !== 1) return [];
    return [
      {
        path: ['spec', 'replicas'],
        message:
          'with one replica every eviction or node drain (which does not wait for a replacement) leaves the Service with no endpoint: an outage',
        fix: 'replicas: 2 or more, plus a PodDisruptionBudget with maxUnavailable: 1',
      },
    ];
  },
};
