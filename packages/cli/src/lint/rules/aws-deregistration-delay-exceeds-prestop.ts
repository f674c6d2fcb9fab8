import { formatSeconds as t } from '../../model/duration.js';
import { annotationPath, awsTargetGroups, DEREGISTRATION_DELAY } from '../../model/front-of-pod.js';
import { getString } from '../../model/json.js';
import { DOCS_BASE, type Rule, servingContainers } from '../rule.js';

export const awsDeregistrationDelayExceedsPrestop: Rule = {
  id: 'aws-deregistration-delay-exceeds-prestop',
  severity: 'warning',
  description:
    'An AWS load balancer keeps a deregistering pod as a target longer than the pod keeps its listener open.',
  docs: `${DOCS_BASE}#aws-deregistration-delay-exceeds-prestop`,
  messages: {
    delayOutlivesListener:
      'the {balancer} of {owner} keeps routing to a deregistering pod for up to {delay} ({attribute}{defaulted}), but {container} gets SIGTERM at t={sigterm}{cut}: requests the load balancer still sends after that hit a closed listener (502s, connection resets) during every rollout',
  },
  check(context) {
    return awsTargetGroups(context).flatMap((group) => {
      const delay = group.deregistrationDelaySeconds;
      const set = getString(group.attributesIn, annotationPath(group.attributesAnnotation)) !== undefined;
      return servingContainers(context).flatMap(({ container, budget }) => {
        // SIGTERM ends the preStop (or the grace period cuts it): from then on the app closes its listener.
        const listenerClosesAt = budget.sigtermAt;
        if (listenerClosesAt === undefined || listenerClosesAt >= delay) return [];
        const cut = budget.preStopCut ? ` (the ${t(budget.graceSeconds)} grace period cuts its preStop)` : '';
        return [
          {
            in: group.attributesIn,
            path: set ? annotationPath(group.attributesAnnotation) : ['metadata', 'name'],
            container: container.name,
            messageId: 'delayOutlivesListener',
            data: {
              balancer: group.balancer,
              owner: `${getString(group.owner, ['kind']) ?? ''} ${getString(group.owner, ['metadata', 'name']) ?? ''}`,
              delay: t(delay),
              attribute: DEREGISTRATION_DELAY,
              defaulted: set ? '' : ', default',
              container: container.name,
              sigterm: t(listenerClosesAt),
              cut,
            },
            fix: `${listenerClosesAt >= 1 ? `set ${DEREGISTRATION_DELAY}=${Math.trunc(listenerClosesAt)} in ${group.attributesAnnotation}, or ` : ''}make the preStop sleep at least ${t(delay)}, with terminationGracePeriodSeconds above preStop + drain`,
          },
        ];
      });
    });
  },
};
