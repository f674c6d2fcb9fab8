import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Realistic multi-document input: per service a Deployment (some with problems) and a Service.
export function workloads(count) {
  const documents = [];
  for (let i = 0; i < count; i++) {
    const grace = i % 3 === 0 ? '' : `\n      terminationGracePeriodSeconds: ${30 + (i % 4) * 15}`;
    const preStop =
      i % 5 === 0
        ? ''
        : `\n          lifecycle:\n            preStop:\n              sleep:\n                seconds: ${5 + (i % 4) * 5}`;
    documents.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: service-${i}
  namespace: team-${i % 20}
  labels: {app: service-${i}, tier: backend}
spec:
  replicas: ${1 + (i % 5)}
  selector:
    matchLabels: {app: service-${i}}
  template:
    metadata:
      labels: {app: service-${i}}
      annotations:
        lameduck.dev/drain-seconds: "${10 + (i % 3) * 10}"
    spec:${grace}
      containers:
        - name: app
          image: registry.example.com/team-${i % 20}/service-${i}:1.${i % 9}.0
          ports:
            - containerPort: 8080
          readinessProbe:
            httpGet: {path: /ready, port: 8080}
            periodSeconds: 5${preStop}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: service-${i}
  namespace: team-${i % 20}
spec:
  selector: {app: service-${i}}
  ports: [{port: 80, targetPort: 8080}]
`);
  }
  return documents.join('---\n');
}

/**
 * A monorepo shaped like the one issue #15 timed (69 kustomizations): per app a base (Deployment,
 * Service, ConfigMap) and two overlays that patch it (replicas, grace period, namespace, prefix).
 * Returns the kustomization directories, relative to `dir`.
 */
export function kustomizeRepository(dir, apps = 23) {
  const directories = [];
  const write = (path, text) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  for (let i = 0; i < apps; i++) {
    const app = `app-${i}`;
    const base = `apps/${app}/base`;
    write(
      `${base}/kustomization.yaml`,
      'resources:\n  - deployment.yaml\n  - service.yaml\n  - config.yaml\n',
    );
    write(
      `${base}/deployment.yaml`,
      workloads(1)
        .split('---\n')[0]
        .replaceAll('service-0', app)
        .replace(/ {2}namespace: .*\n/, ''),
    );
    write(
      `${base}/service.yaml`,
      workloads(1)
        .split('---\n')[1]
        .replaceAll('service-0', app)
        .replace(/ {2}namespace: .*\n/, ''),
    );
    write(
      `${base}/config.yaml`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${app}-config\ndata:\n  LOG_LEVEL: info\n`,
    );
    directories.push(base);
    for (const [overlay, replicas, grace] of [
      ['staging', 1, 30],
      ['prod', 4, 5 + (i % 3) * 40],
    ]) {
      const path = `apps/${app}/overlays/${overlay}`;
      write(
        `${path}/kustomization.yaml`,
        `namespace: ${overlay}\nnamePrefix: ${overlay}-\nresources:\n  - ../../base\npatches:\n  - path: patch.yaml\nconfigMapGenerator:\n  - name: ${app}-env\n    literals: [ENV=${overlay}]\n`,
      );
      write(
        `${path}/patch.yaml`,
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\nspec:\n  replicas: ${replicas}\n  template:\n    spec:\n      terminationGracePeriodSeconds: ${grace}\n`,
      );
      directories.push(path);
    }
  }
  return directories;
}
