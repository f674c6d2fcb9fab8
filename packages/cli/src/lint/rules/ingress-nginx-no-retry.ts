import { getString, type JsonObject, type Path } from '../../model/json.js';
import { annotationPath, ingressController, ingressNginxConfigMap } from '../front-of-pod.js';
import { DOCS_BASE, type Rule } from '../rule.js';

const NEXT_UPSTREAM = 'proxy-next-upstream';
const NEXT_UPSTREAM_ANNOTATION = `nginx.ingress.kubernetes.io/${NEXT_UPSTREAM}`;

/**
 * Whether nginx passes a request on to the next upstream after a connection error: the value keeps
 * `error` (ingress-nginx's default is "error timeout"; nginx proxy_next_upstream).
 */
function retriesOnError(value: string): boolean {
  return value.split(/\s+/).includes('error');
}

export const ingressNginxNoRetry: Rule = {
  id: 'ingress-nginx-no-retry',
  severity: 'warning',
  description: 'ingress-nginx is told not to retry a request on another pod after a connection error.',
  docs: `${DOCS_BASE}#ingress-nginx-no-retry`,
  messages: {
    retryOff:
      '{setting}: "{value}" in {where} turns off nginx\'s retry on a connection error: a request sent to a pod that has just closed its listener, or to an endpoint not yet removed, becomes a 502 for the client instead of going to another pod, during every rollout',
  },
  check(context) {
    const configMap = ingressNginxConfigMap(context);
    // The Ingress annotation wins over the controller's ConfigMap for its own paths.
    const settings: { in: JsonObject; path: Path; value: string; where: string }[] = [];
    for (const ingress of context.ingresses) {
      if (ingressController(ingress, context) !== 'ingress-nginx') continue;
      const own = getString(ingress, annotationPath(NEXT_UPSTREAM_ANNOTATION));
      const global = configMap && getString(configMap, ['data', NEXT_UPSTREAM]);
      if (own !== undefined)
        settings.push({
          in: ingress,
          path: annotationPath(NEXT_UPSTREAM_ANNOTATION),
          value: own,
          where: `Ingress ${getString(ingress, ['metadata', 'name'])}`,
        });
      else if (configMap && global !== undefined)
        settings.push({
          in: configMap,
          path: ['data', NEXT_UPSTREAM],
          value: global,
          where: 'the ingress-nginx ConfigMap',
        });
    }
    return settings
      .filter((setting) => !retriesOnError(setting.value))
      .map((setting) => ({
        in: setting.in,
        path: setting.path,
        messageId: 'retryOff',
        data: { setting: NEXT_UPSTREAM, value: setting.value, where: setting.where },
        fix: `keep error in ${NEXT_UPSTREAM} ("error timeout", the default), or remove the setting`,
      }));
  },
};
