/**
 * The ingress-nginx controller's own termination, read from its container (kubernetes/ingress-nginx):
 * on SIGTERM the controller waits `--shutdown-grace-period` (default 0, pkg/flags/flags.go), then
 * runs `nginx -s quit`, which closes the listeners and gives open requests up to the ConfigMap's
 * `worker-shutdown-timeout` (default 240s, internal/ingress/controller/config/config.go); once
 * nginx is gone it waits `--post-shutdown-grace-period` (default 10) and exits
 * (internal/ingress/controller/nginx.go Stop, pkg/util/process/sigterm.go). The chart's preStop
 * `/wait-shutdown` sends that SIGTERM itself at once and returns when nginx has exited
 * (cmd/waitshutdown/main.go).
 */
import { containerArgv, flagValue } from './argv.js';
import { durationAt, ingressNginxConfigMap } from './front-of-pod.js';
import { getIn, getString, type JsonObject } from './json.js';
import type { Neighbours } from './neighbours.js';

const DEFAULT_SHUTDOWN_GRACE_SECONDS = 0;
const DEFAULT_POST_SHUTDOWN_GRACE_SECONDS = 10;
const DEFAULT_WORKER_SHUTDOWN_TIMEOUT_SECONDS = 240;
const WAIT_SHUTDOWN = '/wait-shutdown';

export interface IngressNginxController {
  /** Seconds between the controller's SIGTERM and `nginx -s quit`. */
  readonly shutdownGraceSeconds: number;
  readonly shutdownGraceSet: boolean;
  /** The longest nginx lets open requests run after quit. */
  readonly workerShutdownTimeoutSeconds: number;
  readonly workerShutdownTimeoutSet: boolean;
  /** Seconds between nginx's exit and the controller's. */
  readonly postShutdownGraceSeconds: number;
  /** The preStop is `/wait-shutdown` alone: SIGTERM reaches the controller at t=0. */
  readonly waitShutdownHook: boolean;
}

/** A container running the controller: its image, or its `/nginx-ingress-controller` command. */
export function isIngressNginxController(container: JsonObject): boolean {
  const image = getString(container, ['image']) ?? '';
  return (
    /(^|\/)ingress-nginx\/controller(:|@|$)/.test(image) ||
    containerArgv(container).some((word) => word.endsWith('/nginx-ingress-controller'))
  );
}

function secondsFlag(argv: readonly string[], flag: string): number | undefined {
  const raw = flagValue(argv, flag);
  const seconds = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(seconds) && seconds >= 0 ? seconds : undefined;
}

/** The controller's ConfigMap: the one `--configmap=namespace/name` names, else the chart's. */
function controllerConfigMap(argv: readonly string[], neighbours: Neighbours): JsonObject | undefined {
  const named = flagValue(argv, '--configmap');
  if (named === undefined) return ingressNginxConfigMap(neighbours);
  const [written, name] = named.includes('/') ? named.split('/') : [undefined, named];
  // The chart writes $(POD_NAMESPACE): the controller's own namespace, which the name then decides.
  const namespace = written?.startsWith('$(') ? undefined : written;
  return neighbours
    .objectsOfKind('ConfigMap')
    .find(
      (configMap) =>
        getString(configMap, ['metadata', 'name']) === name &&
        (namespace === undefined ||
          (getString(configMap, ['metadata', 'namespace']) ?? 'default') === namespace),
    );
}

export function ingressNginxController(
  container: JsonObject,
  neighbours: Neighbours,
): IngressNginxController | undefined {
  if (!isIngressNginxController(container)) return undefined;
  const argv = containerArgv(container);
  const shutdownGrace = secondsFlag(argv, '--shutdown-grace-period');
  const configMap = controllerConfigMap(argv, neighbours);
  const workerShutdown = configMap && durationAt(configMap, ['data', 'worker-shutdown-timeout']);
  const hook = getIn(container, ['lifecycle', 'preStop', 'exec', 'command']);
  return {
    shutdownGraceSeconds: shutdownGrace ?? DEFAULT_SHUTDOWN_GRACE_SECONDS,
    shutdownGraceSet: shutdownGrace !== undefined,
    workerShutdownTimeoutSeconds: workerShutdown ?? DEFAULT_WORKER_SHUTDOWN_TIMEOUT_SECONDS,
    workerShutdownTimeoutSet: workerShutdown !== undefined,
    postShutdownGraceSeconds:
      secondsFlag(argv, '--post-shutdown-grace-period') ?? DEFAULT_POST_SHUTDOWN_GRACE_SECONDS,
    waitShutdownHook: Array.isArray(hook) && hook.length === 1 && hook[0] === WAIT_SHUTDOWN,
  };
}
