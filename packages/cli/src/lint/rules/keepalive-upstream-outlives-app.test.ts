import { describe } from 'node:test';
import { ruleTester } from '../../testing/rule-tester.js';
import { keepaliveUpstreamOutlivesApp } from './keepalive-upstream-outlives-app.js';

const app = (image: string, lines = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: ${image}${lines}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`;
const ingress = (className: string, annotations = '') => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: front${annotations}
spec:
  ingressClassName: ${className}
  defaultBackend: {service: {name: web, port: {number: 80}}}
`;
const nginxConfig = (timeout: string) => `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
data:
  upstream-keepalive-timeout: "${timeout}"
`;
const gunicorn = (flags = '') => `
          command: [gunicorn, app:app${flags}]`;
const idleTimeout = (seconds: number) => `
  annotations:
    alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=${seconds}`;

describe('keepalive-upstream-outlives-app', () => {
  ruleTester(keepaliveUpstreamOutlivesApp, {
    valid: [
      { name: 'no upstream in the input', yaml: app('python:3.12', gunicorn()) },
      {
        name: 'gunicorn --keep-alive 75 behind ingress-nginx (60 s default)',
        yaml: app('python:3.12', gunicorn(', --keep-alive, "75"')) + ingress('nginx'),
      },
      {
        name: 'gunicorn keeps 10 s, ingress-nginx 5 s (GitLab chart value)',
        yaml: app('python:3.12', gunicorn(', --keep-alive=10')) + ingress('nginx') + nginxConfig('5'),
      },
      {
        name: 'Node with LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS at the ALB idle timeout',
        yaml:
          app('node:22', '\n          env: [{name: LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS, value: "60"}]') +
          ingress('alb'),
      },
      {
        name: 'an app lameduck cannot read the keep-alive of',
        yaml: app('registry.example.com/api:1') + ingress('nginx'),
      },
      { name: 'an Ingress of another controller', yaml: app('node:22') + ingress('traefik') },
    ],
    invalid: [
      {
        name: 'gunicorn default 2 s behind ingress-nginx default 60 s',
        yaml: app('python:3.12', gunicorn()) + ingress('nginx'),
        findings: [
          {
            line: 10,
            message:
              /ingress-nginx reuses an idle connection for up to 60s, but app \(gunicorn\) closes it after 2s: .*502, in steady state and during every rollout/,
            fix: /start gunicorn with --keep-alive 61, or lower upstream-keepalive-timeout/,
          },
        ],
      },
      {
        name: 'Node default 5 s behind an ALB whose idle timeout is 30 s, and an nginx ConfigMap of 10 s',
        yaml:
          app('node:22') +
          ingress('alb', idleTimeout(30)) +
          ingress('nginx').replace('front', 'other') +
          nginxConfig('10s'),
        findings: [
          {
            line: 10,
            message:
              /the ALB of Ingress front reuses an idle connection for up to 30s, but app \(Node\) closes it after 5s/,
            fix: /LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS: "30"/,
          },
          { line: 10, message: /ingress-nginx reuses an idle connection for up to 10s/ },
        ],
      },
      {
        name: 'Node with the option set below the ALB default',
        yaml:
          app('node:22', '\n          env: [{name: LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS, value: "30"}]') +
          ingress('alb'),
        findings: [{ line: 10, message: /up to 60s, but app \(Node\) closes it after 31s/ }],
      },
    ],
  });
});
