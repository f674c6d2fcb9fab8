import { describe } from 'node:test';
import { ruleTester } from '../../testing/rule-tester.js';
import { ingressNginxControllerShutdown } from './ingress-nginx-controller-shutdown.js';

/** The controller as the Helm chart renders it: grace 300, preStop /wait-shutdown. */
const controller = ({
  args = '',
  grace = '\n      terminationGracePeriodSeconds: 300',
  preStop = '{exec: {command: [/wait-shutdown]}}',
  image = 'registry.k8s.io/ingress-nginx/controller:v1.12.0',
} = {}) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
  template:
    metadata: {labels: {app.kubernetes.io/name: ingress-nginx}}
    spec:${grace}
      containers:
        - name: controller
          image: ${image}
          args: [/nginx-ingress-controller, --configmap=$(POD_NAMESPACE)/ingress-nginx-controller${args}]
          lifecycle: {preStop: ${preStop}}
          ports: [{containerPort: 80}]
`;
const service = (type = 'LoadBalancer', annotations = '{}') => `---
apiVersion: v1
kind: Service
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx, annotations: ${annotations}}
spec: {type: ${type}, selector: {app.kubernetes.io/name: ingress-nginx}}
`;
const configMap = (data: string) => `---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: {${data}}
`;

describe('ingress-nginx-controller-shutdown', () => {
  ruleTester(ingressNginxControllerShutdown, {
    valid: [
      {
        name: 'behind a LoadBalancer, nginx quits 30 s after SIGTERM, and 30 + 240 + 10 fits in 300',
        yaml: controller({ args: ', --shutdown-grace-period=30' }) + service(),
      },
      {
        name: 'the chart defaults with no load balancer in front',
        yaml: controller() + service('ClusterIP'),
      },
      {
        name: 'another nginx is not the controller',
        yaml:
          controller({ image: 'nginx:1.27', grace: '' }).replace('/nginx-ingress-controller, ', '') +
          service(),
      },
    ],
    invalid: [
      {
        name: 'the chart defaults behind a LoadBalancer: nginx quits at t=0',
        yaml: controller() + service(),
        findings: [
          {
            line: 13,
            messageId: 'quitsBeforeBalancer',
            message:
              /runs nginx -s quit at t=0s \(SIGTERM from \/wait-shutdown at t=0, then --shutdown-grace-period 0, the default\), which closes its listeners, while an external load balancer \(LoadBalancer Service ingress-nginx-controller\) may still send it new connections for 15-30s/,
            fix: /add --shutdown-grace-period=30 to the controller's args/,
          },
        ],
      },
      {
        name: 'a 60 s shutdown grace and the 240 s worker-shutdown-timeout do not fit in 300',
        yaml:
          controller({ args: ', --shutdown-grace-period=60' }) +
          service() +
          configMap('worker-shutdown-timeout: 240s'),
        findings: [
          {
            line: 9,
            messageId: 'graceTooShort',
            message:
              /quits nginx at t=60s .* up to 240s \(worker-shutdown-timeout\) and exits 10s after nginx \(--post-shutdown-grace-period\): it needs 310s, but SIGKILL comes at t=300s/,
            fix: /terminationGracePeriodSeconds: 310 or more/,
          },
        ],
      },
      {
        name: 'the default 30 s grace period cuts the 250 s nginx may take',
        yaml: controller({ grace: '' }) + service('ClusterIP'),
        findings: [
          { line: 8, messageId: 'graceTooShort', message: /it needs 250s, but SIGKILL comes at t=30s/ },
        ],
      },
      {
        name: 'a 10 s preStop sleep in front of an NLB, which users see deregister in up to 2 minutes',
        yaml:
          controller({ preStop: '{sleep: {seconds: 10}}' }) +
          service(
            'LoadBalancer',
            '{service.beta.kubernetes.io/aws-load-balancer-type: external, service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: "deregistration_delay.timeout_seconds=60"}',
          ),
        findings: [
          {
            line: 13,
            messageId: 'quitsBeforeBalancer',
            message:
              /nginx -s quit at t=10s \(SIGTERM at t=10s, then --shutdown-grace-period 0, the default\).*the NLB of Service ingress-nginx-controller \(deregistration_delay\.timeout_seconds 60\) may still send it new connections for 15-120s/,
            fix: /--shutdown-grace-period=110/,
          },
        ],
      },
    ],
  });
});
