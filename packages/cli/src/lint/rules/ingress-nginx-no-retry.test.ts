import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { ingressNginxNoRetry } from './ingress-nginx-no-retry.js';

const service = `---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
`;
const ingress = (annotations = '') => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  annotations: {${annotations}}
spec:
  ingressClassName: nginx
  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;
const configMap = (value: string) => `---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data:
  proxy-next-upstream: "${value}"
`;

describe('ingress-nginx-no-retry', () => {
  ruleTester(ingressNginxNoRetry, {
    valid: [
      { name: 'the defaults', yaml: `${deployment()}${service}${ingress()}` },
      {
        name: 'error kept, more conditions added',
        yaml: `${deployment()}${service}${ingress()}${configMap('error timeout http_502')}`,
      },
      {
        name: 'off, but for an Ingress of another controller',
        yaml: `${deployment()}${service}${ingress().replace('ingressClassName: nginx', 'ingressClassName: alb')}${configMap('off')}`,
      },
      {
        name: 'the Ingress annotation keeps error where the ConfigMap turns it off',
        yaml: `${deployment()}${service}${ingress('nginx.ingress.kubernetes.io/proxy-next-upstream: "error timeout"')}${configMap('off')}`,
      },
    ],
    invalid: [
      {
        name: 'off in the controller ConfigMap',
        yaml: `${deployment()}${service}${ingress()}${configMap('off')}`,
        findings: [
          {
            line: 37,
            message:
              /^proxy-next-upstream: "off" in the ingress-nginx ConfigMap turns off nginx's retry on a connection error/,
            fix: /keep error in proxy-next-upstream/,
          },
        ],
      },
      {
        name: 'timeout only, on the Ingress',
        yaml: `${deployment()}${service}${ingress('nginx.ingress.kubernetes.io/proxy-next-upstream: "timeout"')}`,
        findings: [{ line: 28, message: /"timeout" in Ingress shop/ }],
      },
    ],
  });
});
