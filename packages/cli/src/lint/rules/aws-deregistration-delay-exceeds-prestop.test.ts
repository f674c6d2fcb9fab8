import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { awsDeregistrationDelayExceedsPrestop } from './aws-deregistration-delay-exceeds-prestop.js';

const preStop = (seconds: number) => `
          lifecycle: {preStop: {sleep: {seconds: ${seconds}}}}`;
const service = (annotations = '') => `---
apiVersion: v1
kind: Service
metadata:
  name: web${annotations}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`;
const albIngress = (annotations = '') => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: front
  annotations:
    alb.ingress.kubernetes.io/target-type: ip${annotations}
spec:
  ingressClassName: alb
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: web, port: {number: 80}}}
`;
const delay = (seconds: number) => `
    alb.ingress.kubernetes.io/target-group-attributes: deregistration_delay.timeout_seconds=${seconds},stickiness.enabled=false`;
const nlb = (annotations: string) => `---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-type: external
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip${annotations}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80}]
`;

describe('aws-deregistration-delay-exceeds-prestop', () => {
  ruleTester(awsDeregistrationDelayExceedsPrestop, {
    valid: [
      {
        name: 'an ALB in instance mode (no target-type: ip, the Service a NodePort): its targets are nodes, a stopping pod deregisters nothing (argo-rollouts examples)',
        yaml:
          deployment() +
          service() +
          albIngress().replace(
            '    alb.ingress.kubernetes.io/target-type: ip',
            '    alb.ingress.kubernetes.io/scheme: internet-facing',
          ),
      },
      {
        name: 'ALB delay 20 s within a 25 s preStop',
        yaml: deployment({ container: preStop(25) }) + service() + albIngress(delay(20)),
      },
      {
        name: 'a Service without a load balancer controller in front',
        yaml: deployment({ container: preStop(5) }) + service(),
      },
      {
        name: 'an nginx Ingress is not an AWS target group',
        yaml:
          deployment({ container: preStop(5) }) +
          service() +
          albIngress().replace('alb\n  rules', 'nginx\n  rules'),
      },
      {
        name: 'NLB delay 15 s within a 15 s preStop',
        yaml:
          deployment({ container: preStop(15) }) +
          nlb(
            '\n    service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: deregistration_delay.timeout_seconds=15',
          ),
      },
    ],
    invalid: [
      {
        name: 'ALB default 300 s against a 15 s preStop: points at the Ingress',
        yaml: deployment({ container: preStop(15) }) + service() + albIngress(),
        findings: [
          {
            line: 31,
            data: {
              balancer: 'ALB',
              owner: 'Ingress front',
              held: 'requests in flight',
              delay: '300s',
              defaulted: ', default',
              sigterm: '15s',
            },
            fix: /set deregistration_delay.timeout_seconds=15 in alb.ingress.kubernetes.io\/target-group-attributes/,
          },
        ],
      },
      {
        name: "a StatefulSet of one behind the ALB (Vaultwarden's demo): no other target, so info",
        yaml:
          deployment({ replicas: 1 }).replace('kind: Deployment', 'kind: StatefulSet') +
          service() +
          albIngress(),
        findings: [{ line: 30, severity: 'info', data: { balancer: 'ALB', sigterm: '0s' } }],
      },
      {
        name: "ALB 30 s above a 25 s preStop, set on the Service, which wins over the Ingress's 20 s",
        yaml:
          deployment({ container: preStop(25) }) +
          service(`\n  annotations:${delay(30)}`) +
          albIngress(delay(20)),
        findings: [
          {
            line: 25,
            message: /up to 30s \(deregistration_delay.timeout_seconds\), but app gets SIGTERM at t=25s/,
          },
        ],
      },
      {
        name: 'NLB 60 s and no preStop: the fix cannot lower the delay to 0',
        yaml:
          deployment() +
          nlb(
            '\n    service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: deregistration_delay.timeout_seconds=60',
          ),
        findings: [
          {
            line: 26,
            data: {
              balancer: 'NLB',
              owner: 'Service web',
              held: 'open connections',
              delay: '60s',
              sigterm: '0s',
            },
            fix: /^add a preStop sleep \(prestop-missing gives its length\) and set deregistration_delay\.timeout_seconds in service\.beta\.kubernetes\.io\/aws-load-balancer-target-group-attributes no longer than it/,
          },
        ],
      },
    ],
  });
});
