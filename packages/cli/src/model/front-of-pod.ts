/**
 * What stands in front of a workload's pods, read from the objects around it: the AWS Load
 * Balancer Controller's target groups, LoadBalancer Services, GKE BackendConfigs, the ingress
 * controller of each Ingress and the settings of ingress-nginx. The one reader for lint's rules and
 * plan (model/parties.ts). Sources: shared/docs/data-plane-knobs.md and docs/rules.md.
 */
import { parseDurationSeconds } from './duration.js';
import { getIn, getObject, getString, type JsonObject, type Path } from './json.js';
import { ingressBackendServices, type Neighbours, namespaceOf } from './neighbours.js';

/** Seconds at `path` (an annotation, a ConfigMap key): a number, "30" or "30s"; undefined when absent or not a duration. */
export function durationAt(object: JsonObject, path: Path): number | undefined {
  const raw = getIn(object, path);
  if (typeof raw === 'number') return raw >= 0 ? raw : undefined;
  return typeof raw === 'string' ? parseDurationSeconds(raw) : undefined;
}

export const annotationPath = (key: string): Path => ['metadata', 'annotations', key];

/** The AWS Load Balancer Controller's attribute lists, "key=value,key=value". */
function attributeList(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) attributes.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  return attributes;
}

/** Seconds of one attribute in an attribute-list annotation, when the annotation sets it. */
export function attributeSeconds(
  object: JsonObject,
  annotation: string,
  attribute: string,
): number | undefined {
  const list = getString(object, annotationPath(annotation));
  const value = list === undefined ? undefined : attributeList(list).get(attribute);
  return value === undefined ? undefined : parseDurationSeconds(value);
}

type IngressController = 'aws-alb' | 'ingress-nginx';

/** IngressClass controllers (spec.controller), and the class names each installs by default. */
const CONTROLLERS: Record<string, IngressController> = {
  'ingress.k8s.aws/alb': 'aws-alb',
  'k8s.io/ingress-nginx': 'ingress-nginx',
};
const DEFAULT_CLASS_NAMES: Record<string, IngressController> = { alb: 'aws-alb', nginx: 'ingress-nginx' };

/** The controller serving an Ingress: its IngressClass in the input, or the class name each controller's chart installs. */
export function ingressController(
  ingress: JsonObject,
  neighbours: Neighbours,
): IngressController | undefined {
  const className =
    getString(ingress, ['spec', 'ingressClassName']) ??
    getString(ingress, annotationPath('kubernetes.io/ingress.class'));
  if (className === undefined) return undefined;
  const ingressClass = neighbours
    .objectsOfKind('IngressClass')
    .find((candidate) => getString(candidate, ['metadata', 'name']) === className);
  const controller = getString(ingressClass, ['spec', 'controller']);
  return controller === undefined ? DEFAULT_CLASS_NAMES[className] : CONTROLLERS[controller];
}

/** AWS Load Balancer Controller: target-group attributes default (deregistration_delay.timeout_seconds). */
const DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300;
export const DEREGISTRATION_DELAY = 'deregistration_delay.timeout_seconds';
const ALB_TARGET_GROUP_ATTRIBUTES = 'alb.ingress.kubernetes.io/target-group-attributes';
const NLB_TARGET_GROUP_ATTRIBUTES = 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes';

/** One target group the AWS Load Balancer Controller registers the pods in. */
export interface AwsTargetGroup {
  readonly balancer: 'ALB' | 'NLB';
  /** The Ingress (ALB) or Service (NLB) that creates the load balancer. */
  readonly owner: JsonObject;
  /** The object whose annotation sets the target-group attributes (a Service's wins over its Ingress's). */
  readonly attributesIn: JsonObject;
  readonly attributesAnnotation: string;
  /** Pods are targets by IP; otherwise nodes are, through the Service's node port. */
  readonly ipTargets: boolean;
  readonly deregistrationDelaySeconds: number;
  /** The attributes set the delay; otherwise it is the default. */
  readonly deregistrationDelaySet: boolean;
}

const annotation = (object: JsonObject, key: string) => getString(object, annotationPath(key));

/** A Service the AWS Load Balancer Controller (not the legacy in-tree provider) turns into an NLB. */
function isControllerNlb(service: JsonObject): boolean {
  const type = annotation(service, 'service.beta.kubernetes.io/aws-load-balancer-type');
  return (
    getString(service, ['spec', 'type']) === 'LoadBalancer' &&
    (getString(service, ['spec', 'loadBalancerClass']) === 'service.k8s.aws/nlb' ||
      type === 'external' ||
      type === 'nlb-ip')
  );
}

function targetGroup(
  balancer: AwsTargetGroup['balancer'],
  owner: JsonObject,
  attributesIn: JsonObject,
  attributesAnnotation: string,
  ipTargets: boolean,
): AwsTargetGroup {
  const delay = attributeSeconds(attributesIn, attributesAnnotation, DEREGISTRATION_DELAY);
  return {
    balancer,
    owner,
    attributesIn,
    attributesAnnotation,
    ipTargets,
    deregistrationDelaySeconds: delay ?? DEFAULT_DEREGISTRATION_DELAY_SECONDS,
    deregistrationDelaySet: delay !== undefined,
  };
}

/** The target groups in front of a workload: one per ALB Ingress and Service pair, one per NLB Service. */
export function awsTargetGroups(neighbours: Neighbours): AwsTargetGroup[] {
  const nlbs = neighbours.services
    .filter(isControllerNlb)
    .map((service) =>
      targetGroup(
        'NLB',
        service,
        service,
        NLB_TARGET_GROUP_ATTRIBUTES,
        annotation(service, 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type') === 'ip' ||
          annotation(service, 'service.beta.kubernetes.io/aws-load-balancer-type') === 'nlb-ip',
      ),
    );
  const albs = neighbours.ingresses
    .filter((ingress) => ingressController(ingress, neighbours) === 'aws-alb')
    .flatMap((ingress) =>
      neighbours.services
        .filter((service) => routesTo(ingress, service))
        .map((service) => {
          // The controller reads these annotations from the Service first, then from the Ingress.
          const attributesIn =
            annotation(service, ALB_TARGET_GROUP_ATTRIBUTES) === undefined ? ingress : service;
          const targetType =
            annotation(service, 'alb.ingress.kubernetes.io/target-type') ??
            annotation(ingress, 'alb.ingress.kubernetes.io/target-type');
          return targetGroup('ALB', ingress, attributesIn, ALB_TARGET_GROUP_ATTRIBUTES, targetType === 'ip');
        }),
    );
  return [...albs, ...nlbs];
}

function routesTo(ingress: JsonObject, service: JsonObject): boolean {
  const name = getString(service, ['metadata', 'name']);
  return name !== undefined && ingressBackendServices(ingress).includes(name);
}

/**
 * The `type: LoadBalancer` Services in front of a workload whose cloud load balancer lameduck knows
 * nothing more of: the guide's row for external load balancers applies (15-30 s). An NLB of the AWS
 * Load Balancer Controller is a target group instead, with its own deregistration delay.
 */
export function loadBalancerServices(neighbours: Neighbours): JsonObject[] {
  return neighbours.services.filter(
    (service) => getString(service, ['spec', 'type']) === 'LoadBalancer' && !isControllerNlb(service),
  );
}

/**
 * The ingress-nginx controller's ConfigMap: the one its Helm chart installs (labelled
 * app.kubernetes.io/name=ingress-nginx, component controller), or one of the names the chart and the
 * older static manifests give it. The first found wins when the input holds several controllers.
 */
export function ingressNginxConfigMap(neighbours: Neighbours): JsonObject | undefined {
  const configMaps = neighbours.objectsOfKind('ConfigMap');
  // Every workload behind ingress-nginx asks; the input's ConfigMaps are searched once.
  if (!controllerConfigMaps.has(configMaps))
    controllerConfigMaps.set(configMaps, configMaps.find(isIngressNginxConfigMap));
  return controllerConfigMaps.get(configMaps);
}

const controllerConfigMaps = new WeakMap<readonly JsonObject[], JsonObject | undefined>();

function isIngressNginxConfigMap(configMap: JsonObject): boolean {
  const labels = getObject(configMap, ['metadata', 'labels']) ?? {};
  const name = getString(configMap, ['metadata', 'name']);
  return (
    (labels['app.kubernetes.io/name'] === 'ingress-nginx' &&
      labels['app.kubernetes.io/component'] === 'controller') ||
    name === 'ingress-nginx-controller' ||
    name === 'nginx-configuration'
  );
}

/** Whether an ingress-nginx Ingress routes to the workload. */
export function behindIngressNginx(neighbours: Neighbours): boolean {
  return neighbours.ingresses.some((ingress) => ingressController(ingress, neighbours) === 'ingress-nginx');
}

const BACKEND_CONFIG_ANNOTATIONS = [
  'cloud.google.com/backend-config',
  'beta.cloud.google.com/backend-config',
];

/**
 * The GKE BackendConfigs a Service names in its annotation, {"default": "name"} or
 * {"ports": {"80": "name"}}, found in the Service's namespace, with the annotation that names them.
 */
export function backendConfigsOf(
  service: JsonObject,
  neighbours: Neighbours,
): { readonly backendConfig: JsonObject; readonly annotation: string }[] {
  return BACKEND_CONFIG_ANNOTATIONS.flatMap((key) => {
    const raw = annotation(service, key);
    if (raw === undefined) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return [];
    }
    const ports = getObject(parsed, ['ports']) ?? {};
    const names = new Set([getString(parsed, ['default']), ...Object.values(ports)]);
    return neighbours
      .objectsOfKind('BackendConfig')
      .filter(
        (backendConfig) =>
          namespaceOf(backendConfig) === namespaceOf(service) &&
          names.has(getString(backendConfig, ['metadata', 'name'])),
      )
      .map((backendConfig) => ({ backendConfig, annotation: key }));
  });
}

/** ingress-nginx `upstream-keepalive-timeout` and the ALB's `idle_timeout.timeout_seconds` both default to 60 s. */
const DEFAULT_UPSTREAM_IDLE_SECONDS = 60;
const ALB_ATTRIBUTES = 'alb.ingress.kubernetes.io/load-balancer-attributes';

/** A load balancer or ingress that keeps idle connections to the pods open. */
export interface UpstreamIdleTimeout {
  readonly upstream: IngressController;
  readonly name: string;
  readonly idleSeconds: number;
  /** Where the idle timeout is set. */
  readonly knob: string;
  readonly set: boolean;
}

/** The idle timeouts of the ALBs and the ingress-nginx in front of a workload. */
export function upstreamIdleTimeouts(neighbours: Neighbours): UpstreamIdleTimeout[] {
  const albs = neighbours.ingresses
    .filter((ingress) => ingressController(ingress, neighbours) === 'aws-alb')
    .map((ingress) => {
      const seconds = attributeSeconds(ingress, ALB_ATTRIBUTES, 'idle_timeout.timeout_seconds');
      return {
        upstream: 'aws-alb' as const,
        name: `the ALB of Ingress ${getString(ingress, ['metadata', 'name']) ?? ''}`,
        idleSeconds: seconds ?? DEFAULT_UPSTREAM_IDLE_SECONDS,
        knob: `idle_timeout.timeout_seconds in ${ALB_ATTRIBUTES}`,
        set: seconds !== undefined,
      };
    });
  if (!behindIngressNginx(neighbours)) return albs;
  const configMap = ingressNginxConfigMap(neighbours);
  const seconds = configMap && durationAt(configMap, ['data', 'upstream-keepalive-timeout']);
  const nginx = {
    upstream: 'ingress-nginx' as const,
    name: 'ingress-nginx',
    idleSeconds: seconds ?? DEFAULT_UPSTREAM_IDLE_SECONDS,
    knob: 'upstream-keepalive-timeout in the ingress-nginx ConfigMap',
    set: seconds !== undefined,
  };
  return [...albs, nginx];
}

export const NEXT_UPSTREAM = 'proxy-next-upstream';
const NEXT_UPSTREAM_ANNOTATION = `nginx.ingress.kubernetes.io/${NEXT_UPSTREAM}`;
/** ingress-nginx's default `proxy-next-upstream` (docs/user-guide/nginx-configuration/configmap.md). */
const DEFAULT_NEXT_UPSTREAM = 'error timeout';

/** The `proxy-next-upstream` in effect for one ingress-nginx Ingress in front of a workload. */
export interface NextUpstreamSetting {
  readonly ingress: JsonObject;
  readonly value: string;
  /** Where it is set, when it is: the Ingress's annotation, or the controller's ConfigMap. */
  readonly setIn: { readonly object: JsonObject; readonly path: Path; readonly where: string } | undefined;
}

/** For each ingress-nginx Ingress in front: its annotation wins over the ConfigMap for its own paths. */
export function nextUpstreamSettings(neighbours: Neighbours): NextUpstreamSetting[] {
  const configMap = ingressNginxConfigMap(neighbours);
  const global = configMap && getString(configMap, ['data', NEXT_UPSTREAM]);
  return neighbours.ingresses
    .filter((ingress) => ingressController(ingress, neighbours) === 'ingress-nginx')
    .map((ingress) => {
      const own = getString(ingress, annotationPath(NEXT_UPSTREAM_ANNOTATION));
      if (own !== undefined)
        return {
          ingress,
          value: own,
          setIn: {
            object: ingress,
            path: annotationPath(NEXT_UPSTREAM_ANNOTATION),
            where: `Ingress ${getString(ingress, ['metadata', 'name']) ?? ''}`,
          },
        };
      if (configMap && global !== undefined)
        return {
          ingress,
          value: global,
          setIn: { object: configMap, path: ['data', NEXT_UPSTREAM], where: 'the ingress-nginx ConfigMap' },
        };
      return { ingress, value: DEFAULT_NEXT_UPSTREAM, setIn: undefined };
    });
}

/**
 * Whether nginx passes a request on to the next upstream after a connection error: the value keeps
 * `error` (nginx proxy_next_upstream).
 */
export function retriesOnError(value: string): boolean {
  return value.split(/\s+/).includes('error');
}

/** Argo Rollouts' default, there to cover the propagation of the Service and traffic-router switch. */
export const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;

/** How long an Argo Rollout keeps the old ReplicaSet after switching traffic away from it. */
export interface ScaleDownDelay {
  readonly strategy: 'blueGreen' | 'canary';
  readonly path: Path;
  readonly seconds: number;
  readonly set: boolean;
}

/**
 * The scale-down delay of a Rollout's strategy: blue-green always switches the active Service; a
 * canary only with traffic routing (argoproj.github.io/argo-rollouts, scaleDownDelaySeconds).
 */
export function scaleDownDelays(object: JsonObject, kind: string): ScaleDownDelay[] {
  if (kind !== 'Rollout') return [];
  return (['blueGreen', 'canary'] as const).flatMap((strategy): ScaleDownDelay[] => {
    const fields = getObject(object, ['spec', 'strategy', strategy]);
    if (fields === undefined) return [];
    const path = ['spec', 'strategy', strategy, 'scaleDownDelaySeconds'];
    const seconds = getIn(object, path);
    if (typeof seconds === 'number') return [{ strategy, path, seconds, set: true }];
    if (strategy === 'canary' && getObject(fields, ['trafficRouting']) === undefined) return [];
    return [{ strategy, path, seconds: DEFAULT_SCALE_DOWN_DELAY_SECONDS, set: false }];
  });
}
