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

/** The container runs its image's own command, and the app the image starts as PID 1 handles no SIGTERM. */
function sigtermDroppedByImage(context: WorkloadContext, spec: JsonObject): boolean {
  const image = getString(spec, ['image']);
  if (image === undefined || spec.command !== undefined) return false;
  const app = context.dockerfileFor(image)?.startedApp;
  // An app that exits at once on SIGTERM keeps no listener open: it needs the preStop all the more.
  return app !== undefined && sigtermDropped(app);
}

export const prestopMissing: Rule = {
  id: 'prestop-missing',
  severity: 'error',
  description: 'A container that serves traffic has no preStop hook.',
  docs: `${DOCS_BASE}#prestop-missing`,
  messages: {
    noHook:
      'SIGTERM reaches {container} at t=0s, while kube-proxy and ingress still route to the pod for up to {max}s: unless the app keeps accepting that long by itself, requests arriving after it closes its listener fail (502, connection refused); it serves because {evidence}',
    mayServe:
      '{evidence}: SIGTERM reaches {container} at t=0s while routing may still send it requests for up to {max}s',
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
        // An app its image starts as PID 1 with no SIGTERM handler never sees SIGTERM: it serves on
        // until SIGKILL, and dockerfile-sigterm-unhandled names that first.
        .filter((c) => !sigtermDroppedByImage(context, c.container.spec))
        .map(({ container, evidence }) => {
          const { evidence: because, ...terms } = servingTerms(evidence, 'noHook');
          return {
            path: [...container.path, 'name'],
            container: container.name,
            ...terms,
            data: { container: container.name, max: range.max, evidence: because },
            fix: `add lifecycle.preStop: ${describeHandler(sleepHandler(range.max, context.options.kubeVersion))} (${basis} needs ${describeRange(range)}), with terminationGracePeriodSeconds above it + the drain + ${context.options.bufferSeconds}s (the grace counts from the start of preStop)`,
          };
        })
    );
  },
};
