import { describe } from 'node:test';
import { deployment, linkedDockerfile, ruleTester, singleton, watcher } from '../../testing/rule-tester.js';
import { prestopMissing } from './prestop-missing.js';

/** A Service in front of the fixture's pods (app: web): its ports as written, and other spec lines. */
const service = (name: string, ports: string, spec = '') =>
  `---\napiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec:${spec}\n  selector: {app: web}\n  ports: [${ports}]\n`;

/** Service `web` with `port`, and a ServiceMonitor scraping it through `endpoint`. */
const scrapedService = (port: string, endpoint: string) =>
  `---\napiVersion: v1\nkind: Service\nmetadata: {name: web, labels: {app: web}}\nspec:\n  selector: {app: web}\n  ports: [${port}]\n---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  endpoints: [${endpoint}]\n`;

describe('prestop-missing', () => {
  ruleTester(prestopMissing, {
    valid: [
      {
        name: 'a single Redis: no other pod to route to while it stops (single-replica speaks)',
        yaml: deployment({ replicas: 1 }).replace('image: web:1', 'image: redis:7'),
      },
      {
        name: "a webhook server whose only caller fails open (KEDA's admission webhooks, failurePolicy: Ignore)",
        yaml:
          deployment() +
          service('web', '{port: 443, targetPort: 8080}') +
          '---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: web}\nwebhooks:\n  - name: v.web.io\n    failurePolicy: Ignore\n    clientConfig: {service: {name: web, namespace: default}}\n',
      },
      {
        name: "a StatefulSet of three whose clients name each pod (Sourcegraph's gitserver-0.gitserver:3178): no other pod takes a shard's requests",
        yaml: `${deployment({ extra: '\n  serviceName: gitserver' })
          .replace('kind: Deployment', 'kind: StatefulSet')
          .replace(
            'name: web\n',
            'name: gitserver\n',
          )}${service('gitserver', '{port: 3178, targetPort: 8080}')}---
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend}
spec:
  template:
    spec:
      containers:
        - name: frontend
          image: frontend:1
          env: [{name: SRC_GIT_SERVERS, value: "gitserver-0.gitserver:3178 gitserver-1.gitserver:3178"}]
`,
      },
      {
        name: "a Recreate Deployment of one that writes its data to a volume (Synapse's /data): a lone endpoint, the rollout starts its replacement once it is gone",
        yaml: `${deployment({
          replicas: 1,
          extra: '\n  strategy: {type: Recreate}',
          podSpec: '\n      volumes: [{name: data, emptyDir: {}}]',
          container: '\n          volumeMounts: [{name: data, mountPath: /data}]',
        })}${service('web', '{port: 80, targetPort: 8080}')}`,
      },
      {
        name: 'a StatefulSet of one: its replacement starts only after it is gone',
        yaml: deployment({ replicas: 1 }).replace('kind: Deployment', 'kind: StatefulSet'),
      },
      {
        name: 'native sleep',
        yaml: deployment({ container: '\n          lifecycle: {preStop: {sleep: {seconds: 15}}}' }),
      },
      {
        name: 'a worker with no port and no Service',
        yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  template:\n    spec:\n      containers: [{name: worker, image: w:1}]\n',
      },
      {
        name: 'a port only a metrics Service routes to (named *-metrics)',
        yaml: `${deployment()}${service('web-metrics', '{port: 8080}')}`,
      },
      {
        name: 'a port a ServiceMonitor scrapes through the Service',
        yaml: `${deployment()}${scrapedService('{name: scrape, port: 8080}', '{port: scrape}')}`,
      },
      {
        name: "a Prometheus exporter behind its own Service (the blackbox exporter's probe port): only Prometheus calls it",
        yaml: `${deployment().replace('image: web:1', 'image: quay.io/prometheus/blackbox-exporter:v0.28.0')}${service('blackbox-exporter', '{name: probe, port: 19115, targetPort: 8080}')}`,
      },
      {
        name: 'a port reached only through a peer-discovery Service (headless, publishing not-ready pods: a gossip ring)',
        yaml: `${deployment().replace('- containerPort: 8080', '- {name: http-memberlist, containerPort: 7946}')}${service('gossip-ring', '{name: tcp-gossip-ring, port: 7946, targetPort: http-memberlist}', '\n  clusterIP: None\n  publishNotReadyAddresses: true')}`,
      },
      {
        name: 'no port, and only a placeholder headless Service whose port targets 0 (a queue consumer)',
        yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: dispatch}\nspec:\n  clusterIP: None\n  selector: {app: web}\n  ports: [{name: headless, port: 55555, targetPort: 0}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: dispatch}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: dispatch\n          image: dispatch:1\n',
      },
      {
        name: 'Traefik keeps accepting for 20 s after SIGTERM (requestAcceptGraceTimeout) behind its Service',
        yaml: `${deployment({ container: '\n          args: ["--entryPoints.web.address=:8080", "--entryPoints.web.transport.lifeCycle.requestAcceptGraceTimeout=20s"]' })}${service('traefik', '{name: web, port: 80, targetPort: 8080}')}`,
      },
      {
        name: 'Gatekeeper v3.20+ waits its --shutdown-delay (10 s by default, no flag written) before it stops its webhook server',
        yaml: `${deployment().replace('image: web:1', 'image: openpolicyagent/gatekeeper:v3.22.0')}${service('gatekeeper-webhook-service', '{name: https-webhook-server, port: 443, targetPort: 8080}')}`,
      },
      {
        name: 'an aggregated API server that keeps serving 15 s after SIGTERM (--shutdown-delay-duration)',
        yaml: `${deployment({ container: '\n          args: ["--shutdown-delay-duration=15s"]' })}${service('metrics-server', '{name: https, port: 443, targetPort: 8080}')}`,
      },
      {
        name: 'a controller kept to one replica by design (Recreate, a role that watches the API) behind a status Service: no pod runs beside it',
        yaml: `${singleton}${watcher}${service('dns', '{name: http, port: 7979, targetPort: 8080}')}`,
      },
      {
        name: 'an in-memory Pushgateway of one under Recreate: no pod runs beside it',
        yaml: `${deployment({ replicas: 1, extra: '\n  strategy: {type: Recreate}' }).replace('image: web:1', 'image: prom/pushgateway:v1.11.0')}${service('web', '{port: 80, targetPort: 8080}')}`,
      },
      {
        name: "a Service the input calls only for health checks (a status dashboard's /hc URL): a queue worker's, no lost request",
        yaml: `${deployment()}${service('web', '{name: http, port: 80, targetPort: 8080}')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: webstatus}\ndata:\n  HealthChecks-UI__HealthChecks__0__Uri: http://web/hc\n`,
      },
      {
        name: 'a blue-green Argo Rollout of one: its old pod is scaled down 30 s after the Service switched, and an eviction leaves none beside it',
        yaml: `${deployment({
          replicas: 1,
          extra: '\n  strategy: {blueGreen: {activeService: web, autoPromotionEnabled: true}}',
        })
          .replace('apiVersion: apps/v1', 'apiVersion: argoproj.io/v1alpha1')
          .replace('kind: Deployment', 'kind: Rollout')}${service('web', '{port: 80, targetPort: 8080}')}`,
      },
      {
        name: 'a canary Rollout of one with traffic routing: its old pod too goes 30 s after the traffic switched',
        yaml: `${deployment({
          replicas: 1,
          extra:
            '\n  strategy: {canary: {trafficRouting: {nginx: {stableIngress: web}}, steps: [{setWeight: 50}]}}',
        })
          .replace('apiVersion: apps/v1', 'apiVersion: argoproj.io/v1alpha1')
          .replace('kind: Deployment', 'kind: Rollout')}${service('web', '{port: 80, targetPort: 8080}')}`,
      },
      {
        name: 'a bare ReplicaSet of one (Argo CD sync-waves): it never rolls, so no pod runs beside it',
        yaml: `${deployment({ replicas: 1 }).replace('kind: Deployment', 'kind: ReplicaSet')}${service('web', '{port: 80, targetPort: 8080}')}`,
      },
      {
        name: 'one pod on a ReadWriteOnce claim under Recreate: no pod runs beside it, so none stands in',
        yaml: `${deployment({ replicas: 1, extra: '\n  strategy: {type: Recreate}', podSpec: '\n      volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]' })}---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n${service('web', '{port: 80, targetPort: 8080}')}`,
      },
      {
        name: 'a port named for health checks (http-healthz) that only the liveness probe reaches',
        yaml: deployment().replace('- containerPort: 8080', '- {name: http-healthz, containerPort: 9403}'),
      },
      {
        name: 'a CronJob',
        yaml: 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: c, image: c:1, ports: [{name: http, containerPort: 80}]}]\n',
      },
    ],
    invalid: [
      {
        name: "an xDS port (Contour's control plane): only Envoys call it, keep their last configuration and reconnect: info",
        yaml: `${deployment().replace('- containerPort: 8080', '- {name: xds, containerPort: 8001}')}${service('contour', '{name: xds, port: 8001, targetPort: 8001}')}`,
        findings: [
          {
            line: 14,
            severity: 'info',
            messageId: 'mayServe',
            message: /^only Envoy proxies call port xds, for their configuration \(xDS\)/,
          },
        ],
      },
      {
        name: "Envoy Gateway's xDS port, named grpc: known by its image, info",
        yaml: `${deployment()
          .replace('- containerPort: 8080', '- {name: grpc, containerPort: 18000}')
          .replace(
            'image: web:1',
            'image: docker.io/envoyproxy/gateway:v1.9.0',
          )}${service('envoy-gateway', '{name: grpc, port: 18000, targetPort: 18000}')}`,
        findings: [
          {
            line: 14,
            severity: 'info',
            messageId: 'mayServe',
            message: /^only Envoy proxies call port grpc/,
          },
        ],
      },
      {
        name: 'Gatekeeper before v3.20 has no shutdown delay, nor one whose --shutdown-delay is 0',
        yaml: `${deployment().replace('image: web:1', 'image: openpolicyagent/gatekeeper:v3.19.1')}---\n${deployment({ container: '\n          args: ["--shutdown-delay=0"]' }).replace('image: web:1', 'image: openpolicyagent/gatekeeper:v3.22.0').replace('name: web', 'name: web2')}${service('gatekeeper-webhook-service', '{name: https-webhook-server, port: 443, targetPort: 8080}')}`,
        findings: [
          { line: 14, messageId: 'noHook' },
          { line: 32, messageId: 'noHook' },
        ],
      },
      {
        name: "a port a ServiceMonitor scrapes that an Ingress also routes users to (Backstage's one port): still serving",
        yaml: `${deployment()}${scrapedService('{name: http-backend, port: 7007, targetPort: 8080}', '{port: http-backend, path: /metrics}')}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 7007}}}}
`,
        findings: [{ line: 14, messageId: 'noHook', message: /behind Ingress web/ }],
      },
      {
        name: 'the image starts node as PID 1 with no SIGTERM handler: it serves until SIGKILL; at info, the preStop for after the fix',
        yaml: `${deployment()}${service('web', '{port: 80, targetPort: 8080}')}`,
        dockerfileFor: linkedDockerfile('web/Dockerfile', 'FROM node:14\nCMD ["node", "server.js"]\n', {
          runtime: 'node',
          entry: 'server.js',
          pid1: true,
          sourcesRead: 1,
          handlesSigterm: false,
        }),
        findings: [
          {
            line: 14,
            severity: 'info',
            messageId: 'sigtermNeverArrives',
            data: {
              reason:
                'web/Dockerfile: server.js runs as PID 1 with no SIGTERM handler, and the kernel drops SIGTERM for it',
            },
          },
        ],
      },
      {
        name: "the image's shell-form CMD keeps dash as PID 1 (ewolff's Spring services on a Debian JRE): at info",
        yaml: `${deployment()}${service('web', '{port: 80, targetPort: 8080}')}`,
        dockerfileFor: linkedDockerfile(
          'web/Dockerfile',
          'FROM openjdk:11.0.2-jre-slim\nCMD /usr/bin/java -Xmx400m -jar app.jar\n',
        ),
        findings: [
          {
            line: 14,
            severity: 'info',
            messageId: 'sigtermNeverArrives',
            message:
              /^SIGTERM does not reach the app in app \(web\/Dockerfile: \/bin\/sh is dash in openjdk:11\.0\.2-jre-slim, which does not exec even the last command/,
          },
        ],
      },
      {
        name: 'one pod on a ReadWriteOnce claim under a rolling update: the surge pod beside it mounts the claim and takes traffic (Mastodon web)',
        yaml: `${deployment({ replicas: 1, podSpec: '\n      volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]' })}---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n${service('web', '{port: 80, targetPort: 8080}')}`,
        findings: [{ line: 15, messageId: 'noHook' }],
      },
      {
        name: 'serving container without hook',

        yaml: deployment(),
        // What fix writes: the preStop, and the grace that gives the app room after it (15 s of the
        // default 30 s would leave 15 s, which grace-period-default-too-low flags).
        output: `${deployment()}          lifecycle:
            preStop:
              sleep:
                seconds: 15
      terminationGracePeriodSeconds: 60
`,
        findings: [
          {
            line: 14,
            severity: 'info',
            messageId: 'mayServe',
            message:
              /^if port 8080 serves requests \(no Service in the input routes to it and its name does not say\): SIGTERM reaches app at t=0s/,
            container: 'app',
          },
        ],
      },
      {
        name: 'no port, but a Service selects the pod',
        yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: app\n          image: web:1\n',
        findings: [
          {
            line: 15,
            messageId: 'noHook',
            message:
              /while kube-proxy \(and any ingress or load balancer\) still routes.*; it serves because Service web selects the pod, whose containers declare no ports$/,
          },
        ],
      },
      {
        name: 'no port, a database proxy listed first: the app behind the Service is the one that serves',
        yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: cloud-sql-proxy\n          image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.0\n        - name: contacts\n          image: contacts:1\n',
        findings: [{ line: 17, messageId: 'noHook', container: 'contacts' }],
      },
      {
        name: 'an in-app wait shorter than the range is no preStop',
        yaml: `${deployment({ container: '\n          args: ["--entryPoints.web.transport.lifeCycle.requestAcceptGraceTimeout=3s"]' })}${service('traefik', '{name: web, port: 80, targetPort: 8080}')}`,
        findings: [{ line: 14, messageId: 'noHook' }],
      },
      {
        name: 'a container port named metrics that a Service port named http routes to (the Pushgateway): jobs push to it',
        yaml: `${deployment().replace('- containerPort: 8080', '- {name: metrics, containerPort: 9091}')}${service('pushgateway', '{name: http, port: 9091, targetPort: metrics}')}`,
        findings: [
          {
            line: 14,
            messageId: 'noHook',
            message: /Service pushgateway routes its port 9091 to container port metrics$/,
          },
        ],
      },
      {
        name: "a Service routes to a port no container declares (Istio's gateway declares only its metrics port)",
        yaml: `${deployment().replace('- containerPort: 8080', '- {name: http-envoy-prom, containerPort: 15090}')}${service('istio-ingressgateway', '{name: http2, port: 80, targetPort: 8080}', '\n  type: LoadBalancer')}`,
        findings: [
          {
            line: 14,
            messageId: 'noHook',
            message:
              /LoadBalancer Service istio-ingressgateway routes its port 80 to container port 8080, which no container declares/,
          },
        ],
      },
      {
        name: "a port no container declares in a pod whose two containers declare ports (Kong's controller and proxy): either may listen there, info",
        yaml: `${deployment().replace('- containerPort: 8080', '- {name: webhook, containerPort: 8080}\n        - name: proxy\n          image: kong:3.9\n          ports:\n            - {name: proxy, containerPort: 8000}\n          lifecycle: {preStop: {exec: {command: [kong, quit, --wait=15]}}}')}${service('kong-manager', '{name: http, port: 8002, targetPort: 8002}')}`,
        findings: [
          {
            line: 14,
            severity: 'info',
            messageId: 'mayServe',
            message:
              /^if this container listens on port 8002: Service kong-manager routes its port 8002 to container port 8002, which no container declares, and another container of the pod declares ports too/,
          },
        ],
      },
      {
        name: 'a TCP port is named before a UDP one (Jaeger: a legacy agent port first)',
        yaml: `${deployment().replace('- containerPort: 8080', '- {name: zk-compact-trft, containerPort: 5775, protocol: UDP}\n            - {name: otlp-grpc, containerPort: 4317}')}${service('jaeger', '{name: zk, port: 5775, protocol: UDP, targetPort: zk-compact-trft}, {name: grpc-otlp, port: 4317, targetPort: otlp-grpc}')}`,
        findings: [
          { line: 14, messageId: 'noHook', message: /routes its port 4317 to container port otlp-grpc$/ },
        ],
      },
      {
        name: 'a Service targets the port by number: error, naming the Service',
        yaml: `${deployment()}${service('web', '{name: http, port: 80, targetPort: 8080}')}`,
        findings: [
          {
            line: 14,
            messageId: 'noHook',
            message: /; it serves because Service web routes its port 80 to container port 8080$/,
          },
        ],
      },
    ],
  });
});
