import { awsTargetGroups } from '../../model/front-of-pod.js';
import { getIn, getString, isObject } from '../../model/json.js';
import { DOCS_BASE, type Rule } from '../rule.js';

const INJECT_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';
/** The condition type prefix of the gates the controller's webhook injects. */
const GATE_PREFIX = 'target-health.elbv2.k8s.aws/';

export const awsIpTargetReadinessGateMissing: Rule = {
  id: 'aws-ip-target-readiness-gate-missing',
  severity: 'warning',
  description: "Pods are AWS load balancer IP targets without the controller's pod readiness gate.",
  docs: `${DOCS_BASE}#aws-ip-target-readiness-gate-missing`,
  messages: {
    noReadinessGate:
      'the {balancer} of {owner} sends to pods of {workload} by IP, but a new pod counts as ready before the load balancer has registered it and found it healthy: a rolling update can terminate old targets while the new ones are still "initial", leaving the target group nothing healthy to send to (502/503s during every rollout)',
  },
  check(context) {
    // Only a Namespace in the input says whether the webhook injects the gate; without it, nothing is known.
    const namespace = context.namespace;
    if (namespace === undefined || getString(namespace, ['metadata', 'labels', INJECT_LABEL]) === 'enabled')
      return [];
    const gates = getIn(context.analysis.template.spec, ['readinessGates']);
    const gated =
      Array.isArray(gates) &&
      gates.some((gate) => isObject(gate) && String(gate.conditionType).startsWith(GATE_PREFIX));
    if (gated) return [];
    const group = awsTargetGroups(context).find((candidate) => candidate.ipTargets);
    if (!group) return [];
    const name = getString(namespace, ['metadata', 'name']) ?? '';
    return [
      {
        in: namespace,
        path: ['metadata', 'name'],
        messageId: 'noReadinessGate',
        data: {
          balancer: group.balancer,
          owner: getString(group.owner, ['metadata', 'name']) ?? '',
          workload: `${context.kind} ${context.name}`,
        },
        fix: `label Namespace ${name} with ${INJECT_LABEL}: enabled, then restart the pods so the webhook injects the readiness gate`,
      },
    ];
  },
};
