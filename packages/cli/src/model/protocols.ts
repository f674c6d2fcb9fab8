/**
 * What a container speaks on its ports, as far as their names and numbers say: advice about
 * readiness ("answers 503 from SIGTERM on") is for HTTP servers; a database or broker is probed
 * with a TCP connect or its own client.
 */
import { isObject, type JsonObject } from './json.js';
import { type ContainerView, containerPorts } from './workloads.js';

export type Protocol =
  | { readonly kind: 'http' }
  | { readonly kind: 'other'; readonly server: string; readonly port: number; readonly client?: string }
  | { readonly kind: 'unknown' };

/** Well-known ports of servers that do not speak HTTP, and the client that checks each one. */
const SERVERS: ReadonlyMap<number, { readonly server: string; readonly client?: string }> = new Map([
  [5432, { server: 'PostgreSQL', client: 'pg_isready' }],
  [3306, { server: 'MySQL', client: 'mysqladmin ping' }],
  [6379, { server: 'Redis', client: 'redis-cli ping' }],
  [27017, { server: 'MongoDB', client: 'mongosh --eval "db.adminCommand(\'ping\')"' }],
  [9092, { server: 'Kafka' }],
  [5672, { server: 'RabbitMQ', client: 'rabbitmq-diagnostics -q ping' }],
  [11211, { server: 'memcached' }],
  [9042, { server: 'Cassandra', client: 'cqlsh -e "describe keyspaces"' }],
  [2181, { server: 'ZooKeeper' }],
  [4222, { server: 'NATS' }],
  [1883, { server: 'MQTT' }],
  [1433, { server: 'SQL Server' }],
  [1521, { server: 'Oracle Database' }],
]);
const SERVER_BY_NAME: ReadonlyMap<string, number> = new Map([
  ['postgres', 5432],
  ['postgresql', 5432],
  ['mysql', 3306],
  ['redis', 6379],
  ['mongo', 27017],
  ['mongodb', 27017],
  ['kafka', 9092],
  ['amqp', 5672],
  ['memcached', 11211],
  ['cql', 9042],
  ['zookeeper', 2181],
  ['nats', 4222],
  ['mqtt', 1883],
  ['mssql', 1433],
  ['tds', 1433],
]);
const HTTP_NAME = /^(?:https?|web|https?-.+|.+-https?)$/;
/** Other names of ports that serve requests: gRPC, HTTP/2 in clear, WebSockets (Istio's naming convention among them). */
const REQUEST_NAME = /^(?:grpc|grpc-web|h2c|http2|wss?|tcp-web)(?:-.+)?$|^.+-(?:grpc|h2c|http2)$/;
/** Service `appProtocol` values that name a request protocol (IANA names and the kubernetes.io ones). */
const REQUEST_APP_PROTOCOLS = new Set([
  'http',
  'https',
  'http2',
  'h2c',
  'grpc',
  'kubernetes.io/h2c',
  'kubernetes.io/ws',
  'kubernetes.io/wss',
]);

/** Whether a port's name or appProtocol says it serves requests: a web or gRPC server, or a database or broker's own protocol. */
export function requestProtocolName(name: string | undefined, appProtocol?: string): boolean {
  if (appProtocol !== undefined && REQUEST_APP_PROTOCOLS.has(appProtocol.toLowerCase())) return true;
  if (name === undefined) return false;
  return HTTP_NAME.test(name) || REQUEST_NAME.test(name) || SERVER_BY_NAME.has(name);
}

/** What the container's first port speaks, by its name (as Services name ports), then its number. */
export function containerProtocol(container: JsonObject): Protocol {
  const [first] = containerPorts(container);
  if (!first) return { kind: 'unknown' };
  if (first.name !== undefined && HTTP_NAME.test(first.name)) return { kind: 'http' };
  const known = SERVERS.get(SERVER_BY_NAME.get(first.name ?? '') ?? first.port);
  return known ? { kind: 'other', port: first.port, ...known } : { kind: 'unknown' };
}

/** How to probe a server that does not speak HTTP. */
export function nonHttpProbe(protocol: Extract<Protocol, { kind: 'other' }>): string {
  return `tcpSocket on port ${protocol.port}${protocol.client ? `, or an exec of ${protocol.client}` : ''}`;
}

/**
 * Images of servers that keep state and do not replicate by adding a replica, by the last segment
 * of the image's name, a vendor's prefix allowed (`aws-dynamodb-local`, `bitnami-redis`).
 */
const DATA_STORE_IMAGE =
  /(?:^|[/_-])(?:postgres|postgresql|postgis|timescaledb|mysql|mariadb|redis|valkey|keydb|dragonfly|mongo|mongodb|kafka|cp-kafka|rabbitmq|cassandra|zookeeper|elasticsearch|opensearch|solr|etcd|minio|dynamodb-local|nats|influxdb|couchdb|neo4j|arangodb|rethinkdb|cockroach|clickhouse-server|mssql-server|oracle-xe|oracle-free|meilisearch|qdrant)(?::|@|$)|(?:^|\/)(?:mssql\/server|database\/(?:free|enterprise|express))(?::|@|$)/;

/**
 * The data store a container runs (a database, broker or cache with state), by its image or the
 * well-known port it serves; undefined for anything else. Such a server does not become highly
 * available by raising replicas, and a preStop delay gives its clients nowhere else to go.
 */
export function dataStore(container: JsonObject): string | undefined {
  const image = typeof container.image === 'string' ? container.image : '';
  const named = DATA_STORE_IMAGE.exec(image)?.[0]?.replace(/^[/_-]|[:@]$/g, '');
  // Microsoft's and Oracle's images say what they are by their path, not their last segment.
  if (named?.startsWith('mssql')) return 'SQL Server';
  if (named?.startsWith('database/') || named?.startsWith('oracle-')) return 'Oracle Database';
  if (named) return named;
  const protocol = containerProtocol(container);
  return protocol.kind === 'other' && protocol.server !== 'memcached' ? protocol.server : undefined;
}

/**
 * Observability servers that keep their data in the pod unless told otherwise: Prometheus and the
 * Pushgateway (their TSDB and pushed groups), Grafana on its default SQLite (no GF_DATABASE_*
 * setting), Tempo and Loki run whole (no -target, or -target=all), Jaeger's all-in-one (in memory).
 * A second replica holds its own copy, so it is not a setting away. Unlike a database, clients
 * reach it request by request, so during a rollout's surge its old pod still needs its preStop.
 */
const LOCAL_DATA_IMAGE =
  /(?:^|\/)(?:prometheus|pushgateway|grafana|grafana-oss|grafana-enterprise|tempo|loki|all-in-one|jaeger)(?::|@|$)/;

export function localDataServer(container: JsonObject): string | undefined {
  const image = typeof container.image === 'string' ? container.image : '';
  const name = LOCAL_DATA_IMAGE.exec(image)?.[0]?.replace(/^\/|[:@]$/g, '');
  if (name === undefined) return undefined;
  const words = [container.command, container.args].flatMap((list) =>
    Array.isArray(list) ? list.map(String) : [],
  );
  if (name.startsWith('grafana'))
    return containerEnvNames(container).some((env) => env.startsWith('GF_DATABASE_')) ? undefined : 'grafana';
  if (name === 'tempo' || name === 'loki') {
    const target = words
      .map((word) => /^--?target=(.*)$/.exec(word)?.[1])
      .find((value) => value !== undefined);
    return target === undefined || target === 'all' ? name : undefined;
  }
  if (name === 'all-in-one' || name === 'jaeger') {
    // Jaeger v2 (jaegertracing/jaeger) runs all-in-one in memory unless a --config says otherwise.
    if (!/(?:^|\/)jaegertracing\//.test(image)) return undefined;
    return words.some((word) => word.startsWith('--config')) ? undefined : 'jaeger all-in-one';
  }
  return name;
}

/**
 * The server a workload's main containers run that keeps its data in the pod, a database or an
 * observability server (Prometheus, Grafana on SQLite): a second replica is not a setting away, and
 * a rolling update's surge pod would be a second copy on the same data.
 */
export function dataKeeperOf(
  containers: readonly { readonly container: ContainerView }[],
): string | undefined {
  return mainServer(containers, (spec) => dataStore(spec) ?? localDataServer(spec));
}

/** The first of `server`'s answers for the main containers (the database or broker they run, for dataStore). */
export function mainServer(
  containers: readonly { readonly container: ContainerView }[],
  server: (spec: JsonObject) => string | undefined,
): string | undefined {
  return containers
    .filter(({ container }) => container.role === 'main')
    .map(({ container }) => server(container.spec))
    .find((name) => name !== undefined);
}

const containerEnvNames = (container: JsonObject): string[] =>
  (Array.isArray(container.env) ? container.env : []).flatMap((entry) =>
    isObject(entry) && typeof entry.name === 'string' ? [entry.name] : [],
  );

/** Images of telemetry pipelines: OpenTelemetry, Wavefront, Jaeger, Grafana and Datadog agents, Elastic's APM server, log shippers. */
const TELEMETRY_IMAGE =
  /(?:^|\/)(?:opentelemetry-collector(?:-contrib|-k8s)?|otelcol(?:-contrib|-k8s)?|proxy|wavefront-proxy|jaeger-collector|jaeger-agent|agent|alloy|apm-server|fluent-bit|fluentd|vector)(?::|@|$)/;
const TELEMETRY_OWNER =
  /(?:^|\/)(?:otel|open-telemetry|opentelemetry|wavefronthq|jaegertracing|grafana|datadog|fluent|timberio)\//;

/**
 * The telemetry collector a container runs (an OpenTelemetry collector, a Wavefront proxy, a log
 * shipper), or undefined. What it receives comes from the apps' exporters, which batch and retry:
 * a span or metric point lost in a restart is not a user's request lost.
 */
export function telemetryCollector(container: JsonObject): string | undefined {
  const image = typeof container.image === 'string' ? container.image : '';
  const name = TELEMETRY_IMAGE.exec(image)?.[0]?.replace(/^\/|[:@]$/g, '');
  // "proxy" and "agent" are telemetry only from the projects that publish them under that name.
  if (name === undefined || ((name === 'proxy' || name === 'agent') && !TELEMETRY_OWNER.test(image)))
    return undefined;
  return name;
}

/**
 * `blackbox-exporter`, `node-exporter`, `redis_exporter`, `postgres-exporter`: Prometheus exporters
 * by their image's name; cAdvisor, which exports containers' metrics under a name of its own.
 */
const EXPORTER_IMAGE = /(?:^|\/)([a-z0-9.]+(?:[-_][a-z0-9.]+)*[-_]exporter|cadvisor)(?::|@|$)/;

/**
 * The Prometheus exporter a container runs, or undefined. Only Prometheus calls an exporter (its
 * scrapes, and the blackbox exporter's probes), on the next interval again: a missed scrape is no
 * user's request lost.
 */
export function metricsExporter(container: JsonObject): string | undefined {
  const image = typeof container.image === 'string' ? container.image : '';
  return EXPORTER_IMAGE.exec(image)?.[1];
}

/**
 * Load-testing tools: they send requests and serve none. By names no other command has; `hey` too
 * as the program itself (inside a script it could be an echo's word).
 */
const DISTINCT_LOAD_GENERATORS = 'locust|k6|artillery|vegeta|wrk2?|siege|jmeter|gatling|fortio';
const LOAD_GENERATOR = new RegExp(`^(?:${DISTINCT_LOAD_GENERATORS}|hey)$`);
/** One as a command word of a shell's script (`while true; do wrk -d 60s ...; done`). */
const IN_SCRIPT = new RegExp(
  `(?:^|[;&|]\\s*|\\b(?:do|then|else)\\s+)(?:\\S*\\/)?(${DISTINCT_LOAD_GENERATORS})(?=\\s|;|$)`,
);

/**
 * The load generator a command line starts (`locust --host=...`, `python -m locust`, `exec k6 run`),
 * or undefined: a stop that waits for SIGKILL costs it its grace period, and no one a request.
 */
export function loadGenerator(command: readonly string[]): string | undefined {
  const words = command.flatMap((part) => part.trim().split(/\s+/)).filter((word) => !/^\w+=/.test(word));
  const [first = '', second, third] = words[0] === 'exec' ? words.slice(1) : words;
  const program =
    /^python(?:\d+(?:\.\d+)?)?$/.test(first.split('/').pop() ?? '') && second === '-m' ? third : first;
  const name = program?.split('/').pop() ?? '';
  if (LOAD_GENERATOR.test(name)) return name;
  // Inside a shell's script: a command word of it.
  const flag = words.indexOf('-c');
  if (flag < 0) return undefined;
  return IN_SCRIPT.exec(words.slice(flag + 1).join(' '))?.[1];
}

/**
 * Sidecars the app needs while it drains: database proxies, proxies in front of or behind it,
 * secret agents. (istio-proxy has its own rule; log shippers and metrics agents lose no request.)
 */
const NEEDED_SIDECAR_IMAGE =
  /(?:^|\/)(?:cloud-sql-proxy|gce-proxy|alloydb-auth-proxy|pgbouncer|envoy|haproxy|oauth2-proxy|vault|consul|cloud-sql-python-connector)(?::|@|$)/;

/** Whether a container runs a proxy or agent that the app beside it sends through (a database proxy, Vault). */
export function neededSidecar(container: JsonObject): boolean {
  return typeof container.image === 'string' && NEEDED_SIDECAR_IMAGE.test(container.image);
}

/**
 * Control planes whose ports only Envoy proxies call, by image: Envoy Gateway's xDS (18000), its
 * rate limit xDS (18001) and wasm module server (18002), Contour's xDS (8001). Envoy keeps serving
 * the last configuration it has and reconnects, so a restart loses no user's request.
 */
const PROXY_CONFIG_PORTS: readonly { readonly image: RegExp; readonly ports: readonly number[] }[] = [
  { image: /(?:^|\/)envoyproxy\/gateway(?:-dev)?(?::|@|$)/, ports: [18000, 18001, 18002] },
  { image: /(?:^|\/)projectcontour\/contour(?::|@|$)/, ports: [8001] },
];

/** The ports of a control plane's container that only its Envoy proxies call for configuration. */
export function proxyConfigPorts(container: JsonObject): readonly number[] {
  return portsByImage(PROXY_CONFIG_PORTS, container);
}

/**
 * Servers whose port is their monitoring API, by image: Logstash's 9600 (node stats) and the Beats'
 * 5066 (their HTTP endpoint). Data comes in through other ports, which the charts declare apart.
 */
const MONITORING_PORTS: readonly { readonly image: RegExp; readonly ports: readonly number[] }[] = [
  { image: /(?:^|\/)logstash(?:-oss)?(?::|@|$)/, ports: [9600] },
  {
    image: /(?:^|\/)(?:filebeat|metricbeat|heartbeat|auditbeat|packetbeat)(?:-oss)?(?::|@|$)/,
    ports: [5066],
  },
];

/** The ports of a container that serve only its monitoring API. */
export function monitoringPorts(container: JsonObject): readonly number[] {
  return portsByImage(MONITORING_PORTS, container);
}

function portsByImage(
  table: readonly { readonly image: RegExp; readonly ports: readonly number[] }[],
  container: JsonObject,
): readonly number[] {
  const image = typeof container.image === 'string' ? container.image : '';
  return table.find((entry) => entry.image.test(image))?.ports ?? [];
}
