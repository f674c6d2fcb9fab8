import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { inInput } from '../testing/helpers.js';
import { healthPolledOnly } from './health-pollers.js';
import type { JsonObject } from './json.js';

const service = { kind: 'Service', metadata: { name: 'payment-api', namespace: 'shop' } } as JsonObject;
/** A status dashboard whose environment names the URLs it polls (eShopOnContainers' WebStatus). */
const dashboard = (...urls: string[]) =>
  parse(
    `kind: Deployment\nmetadata: {name: webstatus, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - name: webstatus\n          image: webstatus:1\n          env:\n${urls.map((url, i) => `            - {name: HealthChecks-UI__${i}__Uri, value: "${url}"}`).join('\n')}\n`,
  ) as JsonObject;

describe('Services only health checks call', () => {
  it('every mention is a URL to a health path: with its namespace, port and cluster domain too', () => {
    assert.match(
      healthPolledOnly(service, inInput(dashboard('http://payment-api/hc'))) ?? '',
      /^only health checks call Service payment-api in the input \(http:\/\/payment-api\/hc\)/,
    );
    assert.ok(
      healthPolledOnly(
        service,
        inInput(
          dashboard('http://payment-api.shop.svc.cluster.local:8080/healthz', 'http://catalog-api/api/v1'),
        ),
      ),
    );
    const configMap = parse(
      'kind: ConfigMap\nmetadata: {name: status}\ndata:\n  checks.json: \'[{"url": "http://payment-api/liveness"}]\'\n',
    ) as JsonObject;
    assert.ok(healthPolledOnly(service, inInput(configMap)));
    // The name as a path of the app's own environment is no caller (PATH_BASE: /payment-api).
    assert.ok(healthPolledOnly(service, inInput(configMap, dashboard('/payment-api'))));
  });

  it('concludes nothing when another mention calls it, when the name is bare, or when nothing mentions it', () => {
    assert.equal(
      healthPolledOnly(service, inInput(dashboard('http://payment-api/hc', 'http://payment-api/api/v1/pay'))),
      undefined,
    );
    const envoy = parse(
      'kind: ConfigMap\nmetadata: {name: envoy}\ndata:\n  envoy.yaml: "socket_address: {address: payment-api, port_value: 80}"\n',
    ) as JsonObject;
    assert.equal(healthPolledOnly(service, inInput(dashboard('http://payment-api/hc'), envoy)), undefined);
    assert.equal(healthPolledOnly(service, inInput(dashboard('http://payment-api-v2/api'))), undefined);
    assert.equal(healthPolledOnly(service, inInput()), undefined);
  });
});
