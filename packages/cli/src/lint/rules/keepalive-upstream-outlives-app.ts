import { containerArgv } from '../../model/argv.js';
import { formatSeconds as t } from '../../model/duration.js';
import { upstreamIdleTimeouts } from '../../model/front-of-pod.js';
import { GUNICORN_DEFAULTS, gunicornFlags } from '../../model/gunicorn.js';
import { getString, type JsonObject } from '../../model/json.js';
import { containerEnv } from '../../model/workloads.js';
import { isNodeApp, PRELOAD_IMPORT } from '../node-preload.js';
import { DOCS_BASE, type Rule } from '../rule.js';

/** Node's http `server.keepAliveTimeout` default. */
const NODE_DEFAULT_KEEPALIVE_SECONDS = 5;
/** The runtime library's option: Node then keeps idle connections 1 s longer than this. */
const UPSTREAM_IDLE_ENV = 'LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS';

/** How long the app keeps an idle connection, where the container says: gunicorn's flag, or Node's default. */
function appKeepAlive(container: JsonObject): { seconds: number; server: 'gunicorn' | 'Node' } | undefined {
  const argv = containerArgv(container);
  const gunicorn = gunicornFlags(argv, containerEnv(container, 'GUNICORN_CMD_ARGS'));
  if (gunicorn) return { seconds: gunicorn.keepAlive ?? GUNICORN_DEFAULTS.keepAlive, server: 'gunicorn' };
  if (isNodeApp(getString(container, ['image']), argv)) {
    const upstream = Number(containerEnv(container, UPSTREAM_IDLE_ENV));
    return { seconds: upstream > 0 ? upstream + 1 : NODE_DEFAULT_KEEPALIVE_SECONDS, server: 'Node' };
  }
  return undefined;
}

export const keepaliveUpstreamOutlivesApp: Rule = {
  id: 'keepalive-upstream-outlives-app',
  severity: 'warning',
  description:
    'The load balancer or ingress keeps idle connections to the app open longer than the app does.',
  docs: `${DOCS_BASE}#keepalive-upstream-outlives-app`,
  messages: {
    upstreamOutlivesApp:
      '{upstream} reuses an idle connection for up to {upstreamIdle}, but {container} ({server}) closes it after {appIdle}: a request sent on a connection the app is closing fails with a 502, in steady state and during every rollout',
  },
  check(context) {
    const inFront = upstreamIdleTimeouts(context);
    if (inFront.length === 0) return [];
    return context.analysis.containers.flatMap(({ container }) => {
      const app = container.role === 'main' ? appKeepAlive(container.spec) : undefined;
      if (!app) return [];
      return inFront
        .filter((upstream) => upstream.idleSeconds >= app.seconds)
        .map((upstream) => ({
          path: [...container.path, 'name'],
          container: container.name,
          messageId: 'upstreamOutlivesApp',
          data: {
            upstream: upstream.name,
            upstreamIdle: t(upstream.idleSeconds),
            container: container.name,
            server: app.server,
            appIdle: t(app.seconds),
          },
          fix:
            app.server === 'gunicorn'
              ? `start gunicorn with --keep-alive ${upstream.idleSeconds + 1}, or lower ${upstream.knob} below ${t(app.seconds)}`
              : `set env ${UPSTREAM_IDLE_ENV}: "${upstream.idleSeconds}" with ["node", "${PRELOAD_IMPORT.join('", "')}", ...] (Node then keeps idle connections ${t(upstream.idleSeconds + 1)}), or set server.keepAliveTimeout above ${upstream.idleSeconds * 1000} ms and headersTimeout above that`,
        }));
    });
  },
};
