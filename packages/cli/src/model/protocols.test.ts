import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerProtocol, dataStore, metricsExporter, telemetryCollector } from './protocols.js';

const ports = (...list: object[]) => ({ name: 'c', ports: list });

describe('what a container speaks', () => {
  it('by the port name first, then by a well-known number; unknown otherwise', () => {
    assert.deepEqual(containerProtocol(ports({ name: 'http', containerPort: 6379 })), { kind: 'http' });
    assert.deepEqual(containerProtocol(ports({ name: 'http-metrics', containerPort: 9100 })), {
      kind: 'http',
    });
    assert.equal(containerProtocol(ports({ containerPort: 6379 })).kind, 'other');
    assert.deepEqual(containerProtocol(ports({ name: 'postgres', containerPort: 15432 })), {
      kind: 'other',
      port: 15432,
      server: 'PostgreSQL',
      client: 'pg_isready',
    });
    assert.deepEqual(containerProtocol(ports({ containerPort: 8080 })), { kind: 'unknown' });
    assert.deepEqual(containerProtocol({ name: 'c' }), { kind: 'unknown' });
  });
});

describe('data stores and telemetry collectors', () => {
  it('names a data store by its image or its well-known port, not a cache that keeps nothing', () => {
    assert.equal(dataStore({ image: 'redis:7-alpine' }), 'redis');
    assert.equal(dataStore({ image: 'docker.io/library/postgres@sha256:abc' }), 'postgres');
    assert.equal(dataStore(ports({ containerPort: 3306 })), 'MySQL');
    assert.equal(dataStore({ image: 'memcached:1.6', ports: [{ containerPort: 11211 }] }), undefined);
    assert.equal(dataStore({ image: 'shop/redis-client:1' }), undefined);
  });

  it("names a telemetry collector by its image; a bare 'proxy' or 'agent' only from a telemetry project", () => {
    assert.equal(
      telemetryCollector({ image: 'otel/opentelemetry-collector-contrib:0.120.0' }),
      'opentelemetry-collector-contrib',
    );
    assert.equal(telemetryCollector({ image: 'wavefronthq/proxy:13.4' }), 'proxy');
    assert.equal(telemetryCollector({ image: 'grafana/alloy:v1.5.0' }), 'alloy');
    assert.equal(telemetryCollector({ image: 'envoyproxy/envoy:v1.34' }), undefined);
    assert.equal(telemetryCollector({ image: 'registry.example.com/shop/proxy:2' }), undefined);
  });

  it('names a Prometheus exporter by its image, and nothing that merely mentions exporting', () => {
    assert.equal(
      metricsExporter({ image: 'quay.io/prometheus/blackbox-exporter:v0.28.0' }),
      'blackbox-exporter',
    );
    assert.equal(metricsExporter({ image: 'oliver006/redis_exporter:v1.62.0' }), 'redis_exporter');
    assert.equal(metricsExporter({ image: 'prom/node-exporter@sha256:abc' }), 'node-exporter');
    assert.equal(metricsExporter({ image: 'registry.example.com/shop/exporter:2' }), undefined);
    assert.equal(metricsExporter({ image: 'registry.example.com/shop/exporter-api:2' }), undefined);
    assert.equal(metricsExporter({ image: 'registry.example.com/shop/report-exporter-ui:2' }), undefined);
  });
});
