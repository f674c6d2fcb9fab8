import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { inInput } from '../testing/helpers.js';
import { apiServerCalls } from './api-server-callers.js';
import type { JsonObject } from './json.js';

const service: JsonObject = {
  kind: 'Service',
  metadata: { name: 'keda-admission-webhooks', namespace: 'keda' },
};
const webhooks = (policy?: string, apiVersion = 'admissionregistration.k8s.io/v1') =>
  parse(
    `apiVersion: ${apiVersion}\nkind: ValidatingWebhookConfiguration\nmetadata: {name: keda-admission}\nwebhooks:\n  - name: vscaledobject.keda.sh\n    clientConfig: {service: {name: keda-admission-webhooks, namespace: keda}}\n${policy ? `    failurePolicy: ${policy}\n` : ''}`,
  ) as JsonObject;

describe('the API server as a Service caller', () => {
  it('takes a failed call of a webhook with failurePolicy: Ignore as nothing lost, and one of an aggregated API as retried', () => {
    assert.deepEqual(apiServerCalls(service, inInput(webhooks('Ignore')))?.kind, 'fails-open');
    assert.match(
      apiServerCalls(service, inInput(webhooks('Ignore')))?.because ?? '',
      /^only the API server calls Service keda-admission-webhooks, for ValidatingWebhookConfiguration keda-admission/,
    );
    const api = parse(
      'apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1beta1.external.metrics.k8s.io}\nspec:\n  service: {name: keda-admission-webhooks, namespace: keda}\n',
    ) as JsonObject;
    assert.equal(
      apiServerCalls(service, inInput(api))?.kind,
      'retried',
      'its clients get nothing while it is down',
    );
    assert.match(apiServerCalls(service, inInput(api))?.because ?? '', /APIService v1beta1\.external/);
    assert.equal(
      apiServerCalls(service, inInput(webhooks(undefined, 'admissionregistration.k8s.io/v1beta1')))?.kind,
      'fails-open',
      'v1beta1 defaults failurePolicy to Ignore',
    );
  });

  it('does not forgive a webhook that fails closed (Fail, the v1 default) or a conversion webhook, nor a Service nothing calls', () => {
    assert.equal(apiServerCalls(service, inInput(webhooks('Fail'))), undefined);
    assert.equal(apiServerCalls(service, inInput(webhooks())), undefined);
    const crd = parse(
      'kind: CustomResourceDefinition\nmetadata: {name: scaledobjects.keda.sh}\nspec:\n  conversion:\n    webhook:\n      clientConfig: {service: {name: keda-admission-webhooks, namespace: keda}}\n',
    ) as JsonObject;
    assert.equal(apiServerCalls(service, inInput(webhooks('Ignore'), crd)), undefined);
    assert.equal(apiServerCalls(service, inInput()), undefined);
  });

  it('does not forgive a mutating webhook that fails open: the object is admitted without its change (the VPA admission controller)', () => {
    const mutating = JSON.parse(
      JSON.stringify(webhooks('Ignore')).replace(
        'ValidatingWebhookConfiguration',
        'MutatingWebhookConfiguration',
      ),
    ) as JsonObject;
    assert.equal(apiServerCalls(service, inInput(mutating)), undefined);
  });
});
