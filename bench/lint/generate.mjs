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
