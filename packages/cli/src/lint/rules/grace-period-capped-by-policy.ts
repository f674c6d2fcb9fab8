import { formatSeconds as t } from '../../model/duration.js';
import { graceCaps } from '../../model/grace-caps.js';
import { namespaceOf } from '../../model/neighbours.js';
import { recommend, recommendedGraceSeconds } from '../../model/recommendations.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const gracePeriodCappedByPolicy: Rule = {
  id: 'grace-period-capped-by-policy',
  severity: 'warning',
  description:
    'A Kyverno or Gatekeeper policy in the input caps terminationGracePeriodSeconds below what the pod needs.',
  docs: `${DOCS_BASE}#grace-period-capped-by-policy`,
  messages: {
    rejected:
      '{policy} admits terminationGracePeriodSeconds up to {max} ({written}), but pods of {workload} need {needed} ({reason}): the API server rejects pods with enough grace, and with the grace the policy allows SIGKILL cuts the drain',
    reported:
      '{policy} admits terminationGracePeriodSeconds up to {max} ({written}), but pods of {workload} need {needed} ({reason}): each pod with enough grace is reported as a violation, and lowering the grace to silence it lets SIGKILL cut the drain',
  },
  check(context) {
    const caps = graceCaps(context, context.kind, namespaceOf(context.object));
    if (caps.length === 0) return [];
    const { analysis, options } = context;
    // What plan recommends, with the preStop that covers what stands in front of the pod.
    const recommended = recommend(analysis, context.object, {
      profile: options.profile,
      kubeVersion: options.kubeVersion,
      bufferSeconds: options.bufferSeconds,
      preStopCoverage: context.preStopCoverage,
    });
    const wanted = recommendedGraceSeconds(analysis, recommended);
    if (wanted === undefined) return [];
    const reason = recommended.recommendations.find((r) => r.id === 'grace-period')?.reason ?? '';
    return caps
      .filter((cap) => cap.maxSeconds < wanted)
      .map((cap) => ({
        in: cap.policy,
        path: cap.path,
        messageId: cap.enforced ? 'rejected' : 'reported',
        data: {
          policy: cap.name,
          max: t(cap.maxSeconds),
          written: cap.written,
          workload: `${context.kind} ${context.name}`,
          needed: t(wanted),
          reason,
        },
        fix: `raise the cap in ${cap.name} to ${wanted} or more (or exempt ${context.kind} ${context.name}), or shorten the preStop and drain to fit ${t(cap.maxSeconds)} with the buffer`,
      }));
  },
};
