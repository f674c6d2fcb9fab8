import { formatSeconds as t } from '../../model/duration.js';
import { DEFAULT_SCALE_DOWN_DELAY_SECONDS, scaleDownDelays } from '../../model/front-of-pod.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const rolloutScaleDownDelayTooShort: Rule = {
  id: 'rollout-scale-down-delay-too-short',
  severity: 'warning',
  description: 'An Argo Rollout scales down the old pods sooner than traffic moves off them.',
  docs: `${DOCS_BASE}#rollout-scale-down-delay-too-short`,
  messages: {
    delayTooShort:
      'Argo Rollouts scales down the old ReplicaSet {delay} after switching traffic to the new one, while kube-proxy, ingress controllers and load balancers may still send to the old pods: requests reaching them as they terminate fail (502s, resets) at every promotion',
  },
  check(context) {
    return scaleDownDelays(context.object, context.kind).flatMap(
      ({ strategy, path, seconds: delay, set }) => {
        if (!set || delay >= DEFAULT_SCALE_DOWN_DELAY_SECONDS) return [];
        return [
          {
            path,
            messageId: 'delayTooShort',
            data: { delay: t(delay) },
            fix: `set ${strategy}.scaleDownDelaySeconds to ${DEFAULT_SCALE_DOWN_DELAY_SECONDS} or more (the default), or remove it`,
          },
        ];
      },
    );
  },
};
