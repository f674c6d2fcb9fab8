import { formatSeconds as t } from '../../model/duration.js';
import { backendConfigsOf } from '../../model/front-of-pod.js';
import { getNumber, getString } from '../../model/json.js';
import { DOCS_BASE, type Rule, servingContainers } from '../rule.js';

const DRAINING_PATH = ['spec', 'connectionDraining', 'drainingTimeoutSec'];

export const gkeConnectionDrainingMismatch: Rule = {
  id: 'gke-connection-draining-mismatch',
  severity: 'warning',
  description: 'A GKE BackendConfig has no connection draining, or drains longer than the pod lives.',
  docs: `${DOCS_BASE}#gke-connection-draining-mismatch`,
  messages: {
    noDraining:
      'BackendConfig {backendConfig} has no connection draining (drainingTimeoutSec 0): when a pod of {workload} leaves the NEG, the load balancer drops the requests it still has in flight to it (502s during every rollout)',
    drainingOutlivesPod:
      'BackendConfig {backendConfig} lets requests to a removed endpoint run for up to {draining}, but pods of {workload} are SIGKILLed at t={podGone}: requests still draining through the load balancer then are cut (502s)',
  },
  check(context) {
    const serving = servingContainers(context);
    if (serving.length === 0) return [];
    // The pod is gone once its last serving container is SIGKILLed (or, unknown preStop, its grace ends).
    const podGoneAt = Math.max(...serving.map(({ budget }) => budget.sigkillAt ?? budget.graceSeconds));
    return context.services.flatMap((service) =>
      backendConfigsOf(service, context).flatMap(({ backendConfig }) => {
        const name = getString(backendConfig, ['metadata', 'name']) ?? '';
        const draining = getNumber(backendConfig, DRAINING_PATH) ?? 0;
        if (draining === 0) {
          return [
            {
              in: backendConfig,
              path: DRAINING_PATH,
              messageId: 'noDraining',
              data: { backendConfig: name, workload: `${context.kind} ${context.name}` },
              fix: `set spec.connectionDraining.drainingTimeoutSec to the time a pod needs to finish its requests, at most ${t(podGoneAt)} (when SIGKILL ends the pod)`,
            },
          ];
        }
        if (draining <= podGoneAt) return [];
        return [
          {
            in: backendConfig,
            path: DRAINING_PATH,
            messageId: 'drainingOutlivesPod',
            data: {
              backendConfig: name,
              draining: t(draining),
              workload: `${context.kind} ${context.name}`,
              podGone: t(podGoneAt),
            },
            fix: `lower drainingTimeoutSec to ${Math.trunc(podGoneAt)} or less, or raise terminationGracePeriodSeconds above ${t(draining)} with the app draining that long`,
          },
        ];
      }),
    );
  },
};
