import { NEXT_UPSTREAM, nextUpstreamSettings, retriesOnError } from '../../model/front-of-pod.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const ingressNginxNoRetry: Rule = {
  id: 'ingress-nginx-no-retry',
  severity: 'warning',
  description: 'ingress-nginx is told not to retry a request on another pod after a connection error.',
  docs: `${DOCS_BASE}#ingress-nginx-no-retry`,
  messages: {
    retryOff:
      '{setting}: "{value}" in {where} turns off nginx\'s retry on a connection error: a request sent to a pod that has just closed its listener, or to an endpoint not yet removed, becomes a 502 for the client instead of going to another pod, during every rollout',
  },
  check(context) {
    return nextUpstreamSettings(context).flatMap(({ value, setIn }) =>
      setIn === undefined || retriesOnError(value)
        ? []
        : {
            in: setIn.object,
            path: setIn.path,
            messageId: 'retryOff',
            data: { setting: NEXT_UPSTREAM, value, where: setIn.where },
            fix: `keep error in ${NEXT_UPSTREAM} ("error timeout", the default), or remove the setting`,
          },
    );
  },
};
