import { sigtermKeptFromApp } from '../../dockerfile/facts.js';
import { sigtermDropped } from '../../dockerfile/started-app.js';
import { acceptDelay } from '../../model/accept-delay.js';
import { getString, type JsonObject } from '../../model/json.js';
import { describeRange } from '../../model/parties.js';
import { describeHandler, sleepHandler } from '../../model/prestop.js';
import {
  DOCS_BASE,
  loneEndpoint,
  type Rule,
  servingContainers,
  servingTerms,
  type WorkloadContext,
} from '../rule.js';

/**
 * Why the app never sees SIGTERM, when the container runs its image's own command and the
 * Dockerfile says so: the app is PID 1 with no handler, or a shell or package manager stays PID 1.
 * Such an app serves on until SIGKILL, so no listener closes at t=0 yet; the Dockerfile's finding
 * comes first, and the preStop is needed once it is fixed. (An app that exits at once on SIGTERM
 * keeps no listener open: it needs the preStop all the more.)
 */
function sigtermNeverArrives(context: WorkloadContext, spec: JsonObject): string | undefined {
  const image = getString(spec, ['image']);
  if (image === undefined || spec.command !== undefined) return undefined;
  const link = context.dockerfileFor(image);
  if (link === undefined) return undefined;
  const kept = spec.args === undefined ? sigtermKeptFromApp(link.facts) : undefined;
  if (kept !== undefined) return `${link.facts.file}: ${kept}`;
  const app = link.startedApp;
  return app !== undefined && sigtermDropped(app)
    ? `${link.facts.file}: ${app.entry} runs as PID 1 with no SIGTERM handler, and the kernel drops SIGTERM for it`
    : undefined;
}

export const prestopMissing: Rule = {
  id: 'prestop-missing',
  severity: 'error',
  description: 'A container that serves traffic has no preStop hook.',
  docs: `${DOCS_BASE}#prestop-missing`,
  messages: {
    noHook:
      'SIGTERM reaches {container} at t=0s, while kube-proxy (and any ingress or load balancer) still routes to the pod for up to {max}s: unless the app keeps accepting that long by itself, requests arriving after it closes its listener fail (502, connection refused); it serves because {evidence}',
    mayServe:
      '{evidence}: SIGTERM reaches {container} at t=0s while routing may still send it requests for up to {max}s',
    sigtermNeverArrives:
      'SIGTERM does not reach the app in {container} ({reason}): it serves until SIGKILL, so no listener closes at t=0s yet; once the image passes SIGTERM on, routing still sends requests for up to {max}s after it, and it needs a preStop; it serves because {evidence}',
  },
  fixedBy: 'prestop',
  check(context) {
    if (loneEndpoint(context)) return [];
    const { range, basis } = context.preStopCoverage;
    return (
      servingContainers(context)
        .filter((c) => c.budget.preStop.kind === 'none')
        // The app keeps accepting by itself for at least the range's shortest wait: a preStop's job, done.
        .filter((c) => (acceptDelay(c.container.spec)?.seconds ?? 0) < range.min)
        .map(({ container, evidence }) => {
          const { evidence: because, ...terms } = servingTerms(evidence, 'noHook');
          const reason = sigtermNeverArrives(context, container.spec);
          return {
            path: [...container.path, 'name'],
            container: container.name,
            ...terms,
            ...(reason !== undefined && { messageId: 'sigtermNeverArrives', severity: 'info' as const }),
            data: {
              container: container.name,
              max: range.max,
              evidence: because,
              ...(reason !== undefined && { reason }),
            },
            fix: `add lifecycle.preStop: ${describeHandler(sleepHandler(range.max, context.options.kubeVersion))} (${basis} needs ${describeRange(range)}), with terminationGracePeriodSeconds above it + the drain + ${context.options.bufferSeconds}s (the grace counts from the start of preStop)`,
          };
        })
    );
  },
};
