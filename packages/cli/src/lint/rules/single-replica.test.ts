import { describe } from 'node:test';
import { deployment, ruleTester, singleton, watcher } from '../../testing/rule-tester.js';
import { singleReplica } from './single-replica.js';

const service =
  'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n---\n';
const hpa = (min: number) =>
  `---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: ${min}\n  maxReplicas: 10\n`;
const scaledObject = (min: number) =>
  `---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {name: web}\n  minReplicaCount: ${min}\n`;
/** A second version of the app, its pods behind the same Service. */
const v2 = `---\n${deployment({ replicas: 1 }).replace('name: web', 'name: web-v2')}`;
const statefulSet = service + deployment({ replicas: 1 }).replace('kind: Deployment', 'kind: StatefulSet');

describe('single-replica', () => {
  ruleTester(singleReplica, {
    valid: [
      { name: 'three replicas behind a Service', yaml: service + deployment({ replicas: 3 }) },
      { name: 'one replica with no Service', yaml: deployment({ replicas: 1 }) },
      {
        name: "Logstash's only Service reaches its monitoring API on 9600, named http (elastic/helm-charts): no user's request",
        yaml:
          service.replace('targetPort: 8080', 'targetPort: 9600') +
          deployment({ replicas: 1 })
            .replace('kind: Deployment', 'kind: StatefulSet')
            .replace('image: web:1', 'image: docker.elastic.co/logstash/logstash:8.5.1')
            .replace('- containerPort: 8080', '- {name: http, containerPort: 9600}'),
      },

      {
        name: 'a controller whose only Service is for metrics: a missed scrape is no lost request',
        yaml:
          'apiVersion: v1\nkind: Service\nmetadata: {name: web-metrics}\nspec:\n  selector: {app: web}\n  ports: [{name: metrics, port: 8082}]\n---\n' +
          deployment({ replicas: 1 }).replace(
            '- containerPort: 8080',
            '- {name: metrics, containerPort: 8082}',
          ),
      },
      {
        name: 'one replica that an HPA keeps at 2 or more',
        yaml: service + deployment({ replicas: 1 }) + hpa(2),
      },
      {
        name: 'one replica that a KEDA ScaledObject keeps at 3 or more',
        yaml: service + deployment({ replicas: 1 }) + scaledObject(3),
      },
      {
        name: 'v1 and v2 of one app behind the same Service',
        yaml: service + deployment({ replicas: 1 }) + v2,
      },
    ],
    invalid: [
      {
        name: "one replica behind a PodDisruptionBudget that allows no eviction (Consul's connect injector): drains wait, info",
        yaml:
          service +
          deployment({ replicas: 1 }) +
          '---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  maxUnavailable: 0\n  selector: {matchLabels: {app: web}}\n',
        findings: [{ line: 13, severity: 'info', messageId: 'heldByBudget', data: { budget: 'web' } }],
      },
      {
        name: 'a PodDisruptionBudget of maxUnavailable 1 protects nothing at one replica (Bitnami charts): the outage stands',
        yaml:
          service +
          deployment({ replicas: 1 }) +
          '---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  maxUnavailable: 0\n  selector: {matchLabels: {app: web}}\n'.replace(
            'maxUnavailable: 0',
            'maxUnavailable: 1',
          ),
        findings: [{ line: 13, messageId: 'evictionOutage' }],
      },
      {
        name: "one replica in a namespace that names a development environment (DigitalOcean's microservices-demo-dev): info",
        yaml:
          service.replace('{name: web}', '{name: web, namespace: shop-dev}') +
          deployment({ replicas: 1 }).replace('  name: web\n', '  name: web\n  namespace: shop-dev\n'),
        findings: [
          {
            line: 14,
            severity: 'info',
            messageId: 'development',
            data: { environment: 'namespace shop-dev' },
          },
        ],
      },
      {
        name: 'the backend of an aggregated API (metrics-server): its clients ask again, so said at info, with why',
        yaml:
          service +
          deployment({ replicas: 1 }) +
          '---\napiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1beta1.metrics.k8s.io}\nspec:\n  service: {name: web, namespace: default}\n',
        findings: [
          {
            line: 13,
            severity: 'info',
            messageId: 'mayServe',
            message:
              /^only the API server calls Service web, for APIService v1beta1\.metrics\.k8s\.io, whose clients ask again/,
          },
        ],
      },
      {
        name: 'a controller kept to one replica by design (external-dns: Recreate, a role that watches the API): info',
        yaml: service + singleton + watcher,
        findings: [
          {
            line: 13,
            severity: 'info',
            messageId: 'singletonController',
            data: { role: 'ClusterRole external-dns' },
          },
        ],
      },
      {
        name: 'the same without the watching role is no controller: a Recreate web app of one still gets the warning',
        yaml: service + singleton,
        findings: [{ line: 13, messageId: 'evictionOutage' }],
      },
      {
        name: 'one replica behind a Service',
        yaml: service + deployment({ replicas: 1 }),
        findings: [
          {
            line: 13,
            messageId: 'evictionOutage',
            fix: /^replicas: 2 or more, plus a PodDisruptionBudget with maxUnavailable: 1; if the app keeps state in the pod that a second replica would split .* keep it single: a PodDisruptionBudget with maxUnavailable: 0/,
          },
        ],
      },
      {
        name: "a port no Service routes to (the Service is for its sidecar's scraped https port): said at info, as possibly serving",
        yaml:
          'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  endpoints: [{port: https}]\n---\n' +
          'apiVersion: v1\nkind: Service\nmetadata: {name: web, labels: {app: web}}\nspec:\n  selector: {app: web}\n  ports: [{name: https, port: 8443, targetPort: https}]\n---\n' +
          deployment({
            replicas: 1,
            container:
              '\n        - name: kube-rbac-proxy\n          image: quay.io/brancz/kube-rbac-proxy:v0.18\n          ports: [{name: https, containerPort: 8443}]',
          }),
        findings: [
          {
            line: 20,
            severity: 'info',
            messageId: 'mayServe',
            message: /^if port 8080 serves requests \(no Service in the input routes to it/,
          },
        ],
      },
      {
        name: 'metrics-server: its Service backs the metrics.k8s.io API, though its name begins with "metrics"',
        yaml: `apiVersion: v1\nkind: Service\nmetadata: {name: metrics-server}\nspec:\n  selector: {app: web}\n  ports: [{name: https, port: 443, targetPort: 8080}]\n---\n${deployment({ replicas: 1 })}`,
        findings: [{ line: 13, messageId: 'evictionOutage' }],
      },
      {
        name: 'pods of another workload behind a shared headless gossip Service are no second replica',
        yaml: `${service}apiVersion: v1\nkind: Service\nmetadata: {name: ring}\nspec:\n  clusterIP: None\n  selector: {ring: member}\n---\n${deployment({ replicas: 1 }).replace('labels: {app: web}', 'labels: {app: web, ring: member}')}---\n${deployment(
          { replicas: 3 },
        )
          .replace(/name: web/, 'name: ingester')
          .replace('labels: {app: web}', 'labels: {app: ingester, ring: member}')}`,
        findings: [{ line: 20, messageId: 'evictionOutage' }],
      },
      {
        name: "an HPA that lets it go down to 1: on the HPA's minReplicas, which the fix raises (the chart's replicas: is not even rendered then)",
        yaml: service + deployment({ replicas: 1 }) + hpa(1),
        findings: [
          {
            line: 31,
            messageId: 'evictionOutage',
            fix: /^minReplicas: 2 or more, plus a PodDisruptionBudget/,
          },
        ],
      },
      {
        name: "a KEDA ScaledObject's minReplicaCount of 0 or 1 sets the count: there",
        yaml: service + deployment({ replicas: 1 }) + scaledObject(1),
        findings: [{ line: 31, messageId: 'evictionOutage', fix: /^minReplicaCount: 2 or more/ }],
      },
      {
        name: 'a StatefulSet of one: the restart window, not "replicas: 2"',
        yaml: statefulSet,
        findings: [
          {
            line: 13,
            messageId: 'statefulOutage',
            fix: /PodDisruptionBudget \(maxUnavailable: 0\) and restart it in a maintenance window/,
          },
        ],
      },
      {
        name: 'a single Redis run as a Deployment: the restart window too, named',
        yaml: service + deployment({ replicas: 1 }).replace('image: web:1', 'image: redis:7-alpine'),
        findings: [{ line: 13, messageId: 'statefulOutage', data: { what: 'redis' } }],
      },
      {
        name: 'Grafana on its default SQLite: a second replica needs a shared database first, so the restart-window advice',
        yaml: service + deployment({ replicas: 1 }).replace('image: web:1', 'image: grafana/grafana:11.4.0'),
        findings: [{ line: 13, messageId: 'statefulOutage', data: { what: 'grafana' } }],
      },
      {
        name: 'one pod on a ReadWriteOnce claim: the restart window, not "replicas: 2", which would never start',
        yaml: `${service}${deployment({ replicas: 1, podSpec: '\n      volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]' })}---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOncePod]\n`,
        findings: [{ line: 13, messageId: 'statefulOutage', data: { what: 'the server' } }],
      },
      {
        name: 'the same Deployment read twice (a kustomization and its parent) is no second replica',
        yaml: `${service}${deployment({ replicas: 1 })}---\n${deployment({ replicas: 1 })}`,
        findings: [
          { line: 13, messageId: 'evictionOutage' },
          { line: 31, messageId: 'evictionOutage' },
        ],
      },
    ],
  });
});
