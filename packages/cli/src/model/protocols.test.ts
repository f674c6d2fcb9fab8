import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  containerProtocol,
  dataStore,
  localDataServer,
  metricsExporter,
  telemetryCollector,
} from './protocols.js';

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
    // eShopOnContainers' sql-data: Microsoft's image, its port named http (held-out round 5).
    assert.equal(
      dataStore({
        image: 'mcr.microsoft.com/mssql/server:2019-latest',
        ports: [{ name: 'http', containerPort: 1433 }],
      }),
      'SQL Server',
    );
    assert.equal(dataStore(ports({ containerPort: 1433 })), 'SQL Server');
    assert.equal(dataStore({ image: 'container-registry.oracle.com/database/free:23.5' }), 'Oracle Database');
    assert.equal(dataStore({ image: 'clickhouse/clickhouse-server:24.8' }), 'clickhouse-server');
    assert.equal(dataStore({ image: 'influxdb:2.7' }), 'influxdb');
    assert.equal(dataStore({ image: 'ghcr.io/acme/database-api:1' }), undefined);
    assert.equal(dataStore({ image: 'memcached:1.6', ports: [{ containerPort: 11211 }] }), undefined);
    assert.equal(dataStore({ image: 'shop/redis-client:1' }), undefined);
    assert.equal(
      dataStore({ image: 'public.ecr.aws/aws-dynamodb-local/aws-dynamodb-local:2.5.2' }),
      'dynamodb-local',
      "a vendor's prefix on the name (the AWS retail store's cart table)",
    );
  });

  it('names an observability server that keeps its data in the pod, unless it is told to keep it elsewhere', () => {
    assert.equal(localDataServer({ image: 'quay.io/prometheus/prometheus:v3.1.0' }), 'prometheus');
    assert.equal(localDataServer({ image: 'prom/pushgateway:v1.11.0' }), 'pushgateway');
    assert.equal(localDataServer({ image: 'grafana/grafana:11.4.0' }), 'grafana');
    assert.equal(
      localDataServer({
        image: 'grafana/grafana:11.4.0',
        env: [{ name: 'GF_DATABASE_TYPE', value: 'postgres' }],
      }),
      undefined,
      'Grafana on a shared database replicates',
    );
    assert.equal(
      localDataServer({ image: 'grafana/tempo:2.7.0', args: ['-config.file=/conf/tempo.yaml'] }),
      'tempo',
    );
    assert.equal(localDataServer({ image: 'grafana/tempo:2.7.0', args: ['-target=distributor'] }), undefined);
    assert.equal(localDataServer({ image: 'jaegertracing/jaeger:2.1.0' }), 'jaeger all-in-one');
    assert.equal(
      localDataServer({ image: 'jaegertracing/jaeger:2.1.0', args: ['--config=/etc/jaeger.yaml'] }),
      undefined,
    );
    assert.equal(localDataServer({ image: 'grafana/agent:v0.44' }), undefined);
    assert.equal(
      localDataServer({ image: 'quay.io/prometheus-operator/prometheus-operator:v0.79' }),
      undefined,
    );
  });

  it('keeps databases and observability servers apart: only a database has no second endpoint in a surge', () => {
    assert.equal(dataStore({ image: 'grafana/grafana:11.4.0' }), undefined);
    assert.equal(localDataServer({ image: 'redis:7' }), undefined);
  });

  it("names a telemetry collector by its image; a bare 'proxy' or 'agent' only from a telemetry project", () => {
    assert.equal(
      telemetryCollector({ image: 'otel/opentelemetry-collector-contrib:0.120.0' }),
      'opentelemetry-collector-contrib',
    );
    assert.equal(telemetryCollector({ image: 'wavefronthq/proxy:13.4' }), 'proxy');
    assert.equal(telemetryCollector({ image: 'grafana/alloy:v1.5.0' }), 'alloy');
    // Elastic's APM server takes the agents' trace batches (elastic/helm-charts, held-out round 8).
    assert.equal(telemetryCollector({ image: 'docker.elastic.co/apm/apm-server:8.5.1' }), 'apm-server');
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
    // cAdvisor exports containers' metrics under a name of its own (Sourcegraph's monitoring).
    assert.equal(metricsExporter({ image: 'gcr.io/cadvisor/cadvisor:v0.49.1' }), 'cadvisor');
    assert.equal(
      metricsExporter({ image: 'index.docker.io/sourcegraph/cadvisor:6.0@sha256:abc' }),
      'cadvisor',
    );
    assert.equal(metricsExporter({ image: 'registry.example.com/shop/exporter:2' }), undefined);
    assert.equal(metricsExporter({ image: 'registry.example.com/shop/exporter-api:2' }), undefined);
    assert.equal(metricsExporter({ image: 'registry.example.com/shop/report-exporter-ui:2' }), undefined);
  });
});
