/**
 * Services the API server itself calls: admission webhooks, CRD conversion webhooks and aggregated
 * APIs (APIService). Some of those calls lose nothing when they fail: a validating webhook with
 * `failurePolicy: Ignore` lets the write through unchecked, and an aggregated API's clients (the
 * HPA controller, discovery, `kubectl top`) ask again on their next cycle. A conversion webhook or
 * a webhook that fails closed (`Fail`, the v1 default) fails the user's request instead, and a
 * mutating webhook that fails open admits the object without its change, silently (a pod created
 * without the VPA's resources or an injected agent): each of those loses something.
 */
import { getIn, getString, isObject, type JsonObject } from './json.js';
import { type Neighbours, namespaceOf } from './neighbours.js';

interface Call {
  /** "ValidatingWebhookConfiguration keda-admission", as a reader names it. */
  readonly caller: string;
  /** Whether a failed call loses a request. */
  readonly losesRequest: boolean;
}

/** A `service` reference ({name, namespace}) of a webhook or APIService names this Service. */
const refersTo = (reference: unknown, service: JsonObject) =>
  isObject(reference) &&
  getString(reference, ['name']) === getString(service, ['metadata', 'name']) &&
  (getString(reference, ['namespace']) ?? 'default') === namespaceOf(service);

/** Every call the API server makes to `service`, from the objects in the input. */
function callsTo(service: JsonObject, objectsOfKind: Neighbours['objectsOfKind']): Call[] {
  const calls: Call[] = [];
  for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
    for (const configuration of objectsOfKind(kind)) {
      const webhooks = getIn(configuration, ['webhooks']);
      for (const webhook of Array.isArray(webhooks) ? webhooks.filter(isObject) : []) {
        if (!refersTo(getIn(webhook, ['clientConfig', 'service']), service)) continue;
        // admissionregistration.k8s.io/v1 defaults failurePolicy to Fail (v1beta1 to Ignore).
        const v1beta1 = getString(configuration, ['apiVersion'])?.endsWith('/v1beta1') ?? false;
        const policy = getString(webhook, ['failurePolicy']) ?? (v1beta1 ? 'Ignore' : 'Fail');
        calls.push({
          caller: `${kind} ${getString(configuration, ['metadata', 'name']) ?? ''}`,
          losesRequest: policy !== 'Ignore' || kind === 'MutatingWebhookConfiguration',
        });
      }
    }
  }
  for (const definition of objectsOfKind('CustomResourceDefinition')) {
    const reference = getIn(definition, ['spec', 'conversion', 'webhook', 'clientConfig', 'service']);
    if (refersTo(reference, service))
      calls.push({
        caller: `CustomResourceDefinition ${getString(definition, ['metadata', 'name']) ?? ''}`,
        losesRequest: true,
      });
  }
  for (const api of objectsOfKind('APIService')) {
    if (refersTo(getIn(api, ['spec', 'service']), service))
      calls.push({
        caller: `APIService ${getString(api, ['metadata', 'name']) ?? ''}`,
        losesRequest: false,
      });
  }
  return calls;
}

/** How the API server takes a failed call to a Service, when it is the Service's only caller in the input. */
export type ApiServerCalls =
  /** Only webhooks with failurePolicy: Ignore: a failed call admits the write unchecked, nothing fails. */
  | { readonly kind: 'fails-open'; readonly because: string }
  /** An aggregated API too: its clients ask again on their next cycle, but while it is down they get nothing. */
  | { readonly kind: 'retried'; readonly because: string };

/** How a failed call to `service` is taken, when every call in the input is the API server's and forgives it; else undefined. */
export function apiServerCalls(
  service: JsonObject,
  objectsOfKind: Neighbours['objectsOfKind'],
): ApiServerCalls | undefined {
  const calls = callsTo(service, objectsOfKind);
  if (calls.length === 0 || calls.some((call) => call.losesRequest)) return undefined;
  const callers = [...new Set(calls.map((call) => call.caller))].join(', ');
  const name = getString(service, ['metadata', 'name']) ?? '';
  return calls.some((call) => call.caller.startsWith('APIService '))
    ? {
        kind: 'retried',
        because: `only the API server calls Service ${name}, for ${callers}, whose clients ask again on their next cycle`,
      }
    : {
        kind: 'fails-open',
        because: `only the API server calls Service ${name}, for ${callers} with failurePolicy: Ignore, which admits the write unchecked when the call fails: no request is lost`,
      };
}
