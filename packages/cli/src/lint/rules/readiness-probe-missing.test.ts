import { describe } from 'node:test';
import { deployment, linkedDockerfile, ruleTester } from '../../testing/rule-tester.js';
import { readinessProbeMissing } from './readiness-probe-missing.js';

describe('readiness-probe-missing', () => {
  ruleTester(readinessProbeMissing, {
    valid: [
      {
        name: 'a single PostgreSQL: no other pod to steer traffic to, so readiness changes nothing',
        yaml: deployment({ replicas: 1 }).replace('image: web:1', 'image: postgres:16'),
      },
      {
        name: 'an OpenTelemetry collector: its clients are exporters that retry',
        yaml: deployment().replace('image: web:1', 'image: otel/opentelemetry-collector-contrib:0.120.0'),
      },
      {
        name: 'httpGet readiness probe',
        yaml: deployment({ container: '\n          readinessProbe: {httpGet: {path: /ready, port: 8080}}' }),
      },
      {
        name: 'a metrics port (http-metrics) only: a missed scrape is not a lost request',
        yaml: deployment().replace('- containerPort: 8080', '- {name: http-metrics, containerPort: 8080}'),
      },
      {
        name: 'a port a PodMonitor scrapes',
        yaml: `${deployment().replace('- containerPort: 8080', '- {name: exporter, containerPort: 8080}')}---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  podMetricsEndpoints: [{port: exporter}]
`,
      },
      {
        name: "Istio's gateway: istio-proxy with image auto, which the injector completes with its readiness probe",
        yaml: `${deployment().replace('- name: app\n          image: web:1', '- name: istio-proxy\n          image: auto')}---\napiVersion: v1\nkind: Service\nmetadata: {name: gateway}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{name: http2, port: 80, targetPort: 8080}]\n`,
      },
      {
        name: 'a Job',
        yaml: 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: load}\nspec:\n  template:\n    spec:\n      containers: [{name: k6, image: k6:1, ports: [{name: http, containerPort: 6565}]}]\n',
      },
    ],
    invalid: [
      {
        name: "a Service routes to the port by name: the rule's severity, naming the Service and what fronts it",
        yaml: `${deployment().replace('- containerPort: 8080', '- {name: api, containerPort: 8080}')}---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: api}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  rules: [{backendRefs: [{name: web, port: 80}]}]
`,
        findings: [
          {
            line: 14,
            messageId: 'noProbe',
            message:
              /counts as ready.*; it serves because Service web routes its port 80 to container port api, behind HTTPRoute web$/,
          },
        ],
      },
      {
        name: "a startupProbe and no readinessProbe (Sourcegraph's gitserver): the container is unready until the startup probe passes, info",
        yaml:
          deployment({
            container: '\n          startupProbe: {httpGet: {path: /ping, port: 8080}, failureThreshold: 30}',
          }) +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
        findings: [
          { line: 14, severity: 'info', messageId: 'startupGated', message: /startupProbe keeps it unready/ },
        ],
      },
      {
        name: 'nginx behind a Service listens within milliseconds of starting: said at info, naming it',
        yaml:
          deployment().replace('image: web:1', 'image: nginx:1.27-alpine') +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
        findings: [
          {
            line: 14,
            severity: 'info',
            messageId: 'listensAtOnce',
            message:
              /; nginx listens within milliseconds of starting, before its endpoint reaches any proxy.*it serves because Service web/,
          },
        ],
      },
      {
        name: 'an image built FROM nginx (nginxdemos-like), by its Dockerfile: info',
        yaml:
          deployment() +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
        dockerfileFor: linkedDockerfile(
          'web/Dockerfile',
          'FROM nginx:mainline-alpine\nCOPY hello.conf /etc/nginx/conf.d/\n',
        ),
        findings: [{ line: 14, severity: 'info', messageId: 'listensAtOnce', data: { server: 'nginx' } }],
      },
      {
        name: "a Go server built from the context's module: info, naming the Dockerfile",
        yaml:
          deployment() +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
        dockerfileFor: linkedDockerfile(
          'web/Dockerfile',
          'FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n',
          { runtime: 'go', entry: '/app', pid1: true, sourcesRead: 1, handlesSigterm: false },
        ),
        findings: [
          {
            line: 14,
            severity: 'info',
            messageId: 'listensAtOnce',
            message: /a Go server \(built by web\/Dockerfile .*\) listens within milliseconds/,
          },
        ],
      },
      {
        name: 'a Node server by its Dockerfile starts an interpreter and the app first: still a warning',
        yaml:
          deployment() +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
        dockerfileFor: linkedDockerfile('web/Dockerfile', 'FROM node:20\nCMD ["node", "server.js"]\n', {
          runtime: 'node',
          entry: 'server.js',
          pid1: true,
          sourcesRead: 1,
          handlesSigterm: true,
        }),
        findings: [{ line: 14, messageId: 'noProbe' }],
      },
      {
        name: 'a port nothing is known to route to, and whose name says nothing: info, saying so',
        yaml: deployment(),
        findings: [
          {
            line: 14,
            severity: 'info',
            messageId: 'mayServe',
            message:
              /^if port 8080 serves requests \(no Service in the input routes to it and its name does not say\): the pod counts as ready as soon as it starts$/,
            fix: /fails when the app cannot serve \(an HTTP server: httpGet that answers 503 from SIGTERM on\)/,
          },
        ],
      },
      {
        name: 'an HTTP port (named http) behind a Service: the 503 advice',
        yaml:
          deployment().replace('- containerPort: 8080', '- {name: http, containerPort: 8080}') +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n',
        findings: [
          {
            line: 14,
            messageId: 'noProbe',
            message:
              /counts as ready.*; it serves because Service web routes its port 80 to container port http$/,
            fix: /^add a readinessProbe \(httpGet on the serving port\)/,
          },
        ],
      },
      {
        name: "a port named http and no Service in the input (Reloader's metrics and liveness port): its name alone says it at info",
        yaml: deployment().replace('- containerPort: 8080', '- {name: http, containerPort: 8080}'),
        findings: [
          {
            line: 14,
            severity: 'info',
            messageId: 'mayServe',
            message: /^if port 8080 \(named http\) serves requests through a Service in another repository/,
          },
        ],
      },
      {
        name: "a port named http that the pod's Services do not route to (the operator behind kube-rbac-proxy): its name is no evidence, info",
        yaml:
          'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{name: https, port: 8443, targetPort: https}]\n---\n' +
          deployment().replace('- containerPort: 8080', '- {name: http, containerPort: 8080}'),
        findings: [{ line: 21, severity: 'info', messageId: 'mayServe' }],
      },
      {
        name: 'Redis: a TCP check or its own client, never "503"',
        yaml: deployment()
          .replace('containerPort: 8080', 'containerPort: 6379')
          .replace('image: web:1', 'image: redis:7'),
        findings: [
          {
            line: 14,
            severity: 'info',
            messageId: 'mayServe',
            message: /counts as ready/,
            fix: /^add a readinessProbe that checks Redis answers: tcpSocket on port 6379, or an exec of redis-cli ping$/,
          },
        ],
      },
    ],
  });
});
