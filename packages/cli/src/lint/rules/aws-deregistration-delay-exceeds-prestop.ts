import { formatSeconds as t } from '../../model/duration.js';
import { annotationPath, awsTargetGroups, DEREGISTRATION_DELAY } from '../../model/front-of-pod.js';
import { getString } from '../../model/json.js';
import { DOCS_BASE, loneEndpoint, type Rule, servingContainers } from '../rule.js';

export const awsDeregistrationDelayExceedsPrestop: Rule = {
  id: 'aws-deregistration-delay-exceeds-prestop',
  severity: 'warning',
  description:
    "An AWS load balancer's deregistration delay outlasts the pod's listener: requests in flight, and an NLB's open connections, outlive the app.",
  docs: `${DOCS_BASE}#aws-deregistration-delay-exceeds-prestop`,
  messages: {
    delayOutlivesListener:
      "the {balancer} of {owner} keeps a deregistering pod's {held} for up to {delay} ({attribute}{defaulted}), but {container} gets SIGTERM at t={sigterm}{cut} and closes its listener: {lost} (502s, connection resets) during every rollout",
  },
  check(context) {
    // A lone endpoint (a StatefulSet of one) leaves the target group with no other target: its
    // restart is the outage single-replica speaks of, and a preStop only lengthens it. Said at info.
    const alone = loneEndpoint(context);
    // Instance targets are nodes: a pod that stops deregisters nothing, kube-proxy steers around it.
    return awsTargetGroups(context)
      .filter((group) => group.ipTargets)
      .flatMap((group) => {
        const delay = group.deregistrationDelaySeconds;
        const set = getString(group.attributesIn, annotationPath(group.attributesAnnotation)) !== undefined;
        return servingContainers(context).flatMap(({ container, budget }) => {
          // SIGTERM ends the preStop (or the grace period cuts it): from then on the app closes its listener.
          const listenerClosesAt = budget.sigtermAt;
          if (listenerClosesAt === undefined || listenerClosesAt >= delay) return [];
          const cut = budget.preStopCut
            ? ` (the ${t(budget.graceSeconds)} grace period cuts its preStop)`
            : '';
          return [
            {
              in: group.attributesIn,
              path: set ? annotationPath(group.attributesAnnotation) : ['metadata', 'name'],
              container: container.name,
              ...(alone ? { severity: 'info' as const } : {}),
              messageId: 'delayOutlivesListener',
              data: {
                balancer: group.balancer,
                // AWS: a deregistering target gets no new requests; an ALB lets those in flight run,
                // an NLB keeps forwarding on the connections already open (a keep-alive client's next request).
                held: group.balancer === 'ALB' ? 'requests in flight' : 'open connections',
                lost:
                  group.balancer === 'ALB'
                    ? 'a request still running when the app stops is cut'
                    : 'requests a keep-alive client still sends on those connections hit a closed listener',
                owner: `${getString(group.owner, ['kind']) ?? ''} ${getString(group.owner, ['metadata', 'name']) ?? ''}`,
                delay: t(delay),
                attribute: DEREGISTRATION_DELAY,
                defaulted: set ? '' : ', default',
                container: container.name,
                sigterm: t(listenerClosesAt),
                cut,
              },
              // Lowering the delay to what the pod serves comes first: a preStop as long as the 300 s
              // default would make every rollout step wait five minutes.
              fix:
                listenerClosesAt >= 1
                  ? `set ${DEREGISTRATION_DELAY}=${Math.trunc(listenerClosesAt)} in ${group.attributesAnnotation} (no longer than the pod keeps serving), or make the preStop sleep at least ${t(delay)}, with terminationGracePeriodSeconds above preStop + drain`
                  : `add a preStop sleep (prestop-missing gives its length) and set ${DEREGISTRATION_DELAY} in ${group.attributesAnnotation} no longer than it, so the load balancer lets go while the pod still serves; a preStop of the whole ${t(delay)} also works, at that cost per rollout step`,
            },
          ];
        });
      });
  },
};
