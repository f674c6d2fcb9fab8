import { formatSeconds as t } from '../../model/duration.js';
import { getString } from '../../model/json.js';
import { DAPR_BLOCK_ANNOTATION, daprSidecar } from '../../model/mesh-sidecars.js';
import { neededSidecar } from '../../model/protocols.js';
import { nativeSidecarsEnabled } from '../../model/workloads.js';
import { DOCS_BASE, type Rule, servingContainers } from '../rule.js';

export const classicSidecarExitsFirst: Rule = {
  id: 'classic-sidecar-exits-first',
  severity: 'warning',
  description:
    "A sidecar in `containers` that the app needs (or Dapr's injected daprd) gets SIGTERM with the app and goes first.",
  docs: `${DOCS_BASE}#classic-sidecar-exits-first`,
  messages: {
    sidecarStopsFirst:
      '{sidecar} ({image}) is an ordinary container, so it gets SIGTERM at t=0 with the app and stops, while {app} keeps working until t={appDone}: what the app still sends through it (queries, upstream calls, secrets) fails during every rollout',
    sidecarStopsWithApp:
      '{sidecar} ({image}) is an ordinary container, so it gets SIGTERM at t=0 with the app and stops: what {app} still sends through it while it finishes its requests in flight fails, and once {app} gets the preStop it needs (prestop-missing), everything it serves in that window fails too',
  },
  check(context) {
    const serving = servingContainers(context);
    const app = serving[0];
    // How long the app keeps working after deletion: its preStop, then its drain.
    const appDone = app ? (app.budget.exitAt ?? app.budget.sigtermAt) : undefined;
    if (!app || appDone === undefined) return [];
    // With no preStop the app still drains what it holds, and the preStop it needs is the range's.
    const waitFor = appDone > 0 ? appDone : context.preStopCoverage.range.max;
    const native = nativeSidecarsEnabled(context.options.kubeVersion);
    // An app nothing is known to route to (reached only through daprd, say): say it at info.
    const severity = app.evidence.kind === 'serving' ? {} : { severity: 'info' as const };
    const sidecarStops = (sidecar: string, image: string) =>
      appDone > 0
        ? {
            messageId: 'sidecarStopsFirst',
            data: { sidecar, image, app: app.container.name, appDone: t(appDone) },
          }
        : { messageId: 'sidecarStopsWithApp', data: { sidecar, image, app: app.container.name } };
    const dapr = daprSidecar(context.analysis.template);
    const injected =
      dapr && dapr.blockSeconds < waitFor
        ? [
            {
              path: dapr.enabledPath,
              ...severity,
              ...sidecarStops('daprd', 'injected by dapr.io/enabled: "true"'),
              fix: `${DAPR_BLOCK_ANNOTATION}: "${Math.ceil(waitFor)}s" (Dapr 1.12+): daprd keeps its APIs until ${app.container.name} stops serving or that time has passed`,
            },
          ]
        : [];
    const written = context.analysis.containers.flatMap(({ container, budget }) => {
      const image = getString(container.spec, ['image']) ?? '';
      if (
        container.role !== 'main' ||
        serving.some((s) => s.container === container) ||
        !neededSidecar(container.spec) ||
        budget.preStop.kind !== 'none'
      )
        return [];
      return [
        {
          path: [...container.path, 'name'],
          container: container.name,
          ...severity,
          ...sidecarStops(container.name, image),
          fix: native
            ? `make it a native sidecar: move it to initContainers with restartPolicy: Always (Kubernetes 1.29+), so it gets SIGTERM only after ${app.container.name} has exited; or give it a preStop sleep of ${Math.ceil(waitFor)}s, or its own exit delay (cloud-sql-proxy --max-sigterm-delay)`
            : `give it a preStop sleep of ${Math.ceil(waitFor)}s or its own exit delay (cloud-sql-proxy --max-sigterm-delay); from Kubernetes 1.29, a native sidecar (initContainers with restartPolicy: Always) stops after the app`,
        },
      ];
    });
    return [...injected, ...written];
  },
};
