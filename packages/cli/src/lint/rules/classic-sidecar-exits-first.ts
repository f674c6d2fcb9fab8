import { formatSeconds as t } from '../../model/duration.js';
import { getString } from '../../model/json.js';
import { nativeSidecarsEnabled } from '../../model/workloads.js';
import { DOCS_BASE, type Rule, servingContainers } from '../rule.js';

/**
 * Sidecars the app needs while it drains: database proxies, proxies in front of or behind it,
 * secret agents. (istio-proxy has its own rule; log shippers and metrics agents lose no request.)
 */
const NEEDED_SIDECAR =
  /(?:^|\/)(?:cloud-sql-proxy|gce-proxy|alloydb-auth-proxy|pgbouncer|envoy|haproxy|oauth2-proxy|vault|consul|cloud-sql-python-connector)(?::|@|$)/;

export const classicSidecarExitsFirst: Rule = {
  id: 'classic-sidecar-exits-first',
  severity: 'warning',
  description: 'A sidecar in `containers` that the app needs gets SIGTERM with the app and goes first.',
  docs: `${DOCS_BASE}#classic-sidecar-exits-first`,
  messages: {
    sidecarStopsFirst:
      '{sidecar} ({image}) is an ordinary container, so it gets SIGTERM at t=0 with the app and stops, while {app} keeps working until t={appDone}: what the app still sends through it (queries, upstream calls, secrets) fails during every rollout',
  },
  check(context) {
    const serving = servingContainers(context);
    const app = serving[0];
    // How long the app keeps working after deletion: its preStop, then its drain.
    const appDone = app ? (app.budget.exitAt ?? app.budget.sigtermAt) : undefined;
    if (!app || appDone === undefined || appDone <= 0) return [];
    const native = nativeSidecarsEnabled(context.options.kubeVersion);
    return context.analysis.containers.flatMap(({ container, budget }) => {
      const image = getString(container.spec, ['image']) ?? '';
      if (
        container.role !== 'main' ||
        serving.some((s) => s.container === container) ||
        !NEEDED_SIDECAR.test(image) ||
        budget.preStop.kind !== 'none'
      )
        return [];
      return [
        {
          path: [...container.path, 'name'],
          container: container.name,
          messageId: 'sidecarStopsFirst',
          data: { sidecar: container.name, image, app: app.container.name, appDone: t(appDone) },
          fix: native
            ? `make it a native sidecar: move it to initContainers with restartPolicy: Always (Kubernetes 1.29+), so it gets SIGTERM only after ${app.container.name} has exited; or give it a preStop sleep of ${Math.ceil(appDone)}s, or its own exit delay (cloud-sql-proxy --max-sigterm-delay)`
            : `give it a preStop sleep of ${Math.ceil(appDone)}s or its own exit delay (cloud-sql-proxy --max-sigterm-delay); from Kubernetes 1.29, a native sidecar (initContainers with restartPolicy: Always) stops after the app`,
        },
      ];
    });
  },
};
