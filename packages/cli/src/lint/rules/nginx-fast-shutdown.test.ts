import { describe } from 'node:test';
import { linkedDockerfile, ruleTester } from '../../testing/rule-tester.js';
import { nginxFastShutdown } from './nginx-fast-shutdown.js';

const pod = (image: string, extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: web\n      image: ${image}${extra}\n`;

describe('nginx-fast-shutdown', () => {
  ruleTester(nginxFastShutdown, {
    valid: [
      { name: 'official nginx', yaml: pod('nginx:1.27') },
      { name: 'ingress-nginx controller', yaml: pod('registry.k8s.io/ingress-nginx/controller:v1.11.0') },
      {
        name: 'the ingress-nginx controller from its old registry, started by args (eShopOnContainers)',
        yaml: pod(
          'quay.io/kubernetes-ingress-controller/nginx-ingress-controller:0.20.0',
          '\n      args: [/nginx-ingress-controller, --configmap=$(POD_NAMESPACE)/nginx-configuration]',
        ),
      },
      {
        name: "NGINX Gateway Fabric's control plane, a Go binary with no nginx in it",
        yaml: pod('ghcr.io/nginx/nginx-gateway-fabric:2.2.1'),
      },
      { name: 'an nginx Prometheus exporter', yaml: pod('nginx/nginx-prometheus-exporter:1.4') },
      {
        name: "Bitnami's nginx from 1.28 stops with SIGQUIT (bitnami/containers#75942)",
        yaml: pod('registry-1.docker.io/bitnami/nginx:1.29.1-debian-12-r0'),
      },
      {
        name: 'an nginx image in a Job (a certificate generator)',
        yaml: 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: certs}\nspec:\n  template:\n    spec:\n      containers:\n        - name: certs\n          image: registry.example.com/my-nginx:2\n',
      },
      {
        name: 'custom nginx with a quit preStop',
        yaml: pod(
          'registry.example.com/my-nginx:2',
          '\n      lifecycle: {preStop: {exec: {command: ["/usr/sbin/nginx", "-s", "quit"]}}}',
        ),
      },
    ],
    invalid: [
      {
        name: 'a custom nginx image with no Dockerfile in the input: info, it may inherit SIGQUIT (nginxdemos/nginx-hello is built on nginx)',
        yaml: pod('registry.example.com/my-nginx:2'),
        findings: [{ line: 7, severity: 'info', messageId: 'baseUnknown' }],
      },
      {
        name: 'a custom nginx image whose linked Dockerfile starts from Alpine and sets no STOPSIGNAL',
        yaml: pod('registry.example.com/my-nginx:2'),
        dockerfileFor: linkedDockerfile(
          'my-nginx/Dockerfile',
          'FROM alpine:3.20\nRUN apk add nginx\nCMD ["nginx", "-g", "daemon off;"]\n',
        ),
        findings: [{ line: 7, messageId: 'fastShutdown', message: /nginx gets SIGTERM: a fast shutdown/ }],
      },
      {
        name: "Bitnami's nginx before 1.28, whose image had no STOPSIGNAL SIGQUIT yet",
        yaml: pod('docker.io/bitnami/nginx:1.27.3'),
        findings: [{ line: 7, severity: 'info', messageId: 'baseUnknown' }],
      },
    ],
  });
});
