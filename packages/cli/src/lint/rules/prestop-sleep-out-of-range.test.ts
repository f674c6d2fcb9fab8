import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { prestopSleepOutOfRange } from './prestop-sleep-out-of-range.js';

const sleep = (seconds: number) =>
  deployment({
    container: `\n          lifecycle:\n            preStop:\n              sleep: {seconds: ${seconds}}`,
  });

/** An ALB Ingress in front of the Deployment, its deregistration delay 45 s, and a 90 s grace period. */
const behindAlb = (seconds: number) =>
  `${sleep(seconds).replace('    spec:\n', '    spec:\n      terminationGracePeriodSeconds: 90\n')}---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations: {alb.ingress.kubernetes.io/target-group-attributes: deregistration_delay.timeout_seconds=45}
spec: {ingressClassName: alb, defaultBackend: {service: {name: web}}}
`;

describe('prestop-sleep-out-of-range', () => {
  ruleTester(prestopSleepOutOfRange, {
    valid: [
      {
        name: "kong quit --wait=15 holds the medium cluster's range",
        yaml:
          deployment({
            container: '\n          lifecycle: {preStop: {exec: {command: [kong, quit, --wait=15]}}}',
          }).replace('- containerPort: 8080', '- {name: http, containerPort: 8080}') +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
      },
      { name: '15 s on a medium cluster', yaml: sleep(15), profile: 'medium' },
      { name: '5 s on a small cluster', yaml: sleep(5), profile: 'small' },
      {
        name: "30 s behind an ALB: the external load balancers' 15-30 s, whatever its deregistration delay",
        yaml: behindAlb(30),
      },
    ],
    invalid: [
      {
        name: "Contour's shutdown manager with no --drain-delay in front of a LoadBalancer: it waits 0 s before Envoy stops taking connections",
        yaml: `${deployment({ container: '\n          lifecycle: {preStop: {exec: {command: [/bin/contour, envoy, shutdown]}}}' })}---\napiVersion: v1\nkind: Service\nmetadata: {name: envoy}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n`,
        findings: [
          {
            line: 18,
            messageId: 'waitTooShort',
            data: { command: '/bin/contour envoy shutdown', seconds: 0 },
            fix: /^contour envoy shutdown --drain-delay of 30s/,
          },
        ],
      },
      {
        name: '10 s behind an ALB: the ALB decides, until the controller deregisters the pod, and fix writes 30 s',
        yaml: behindAlb(10),
        output: behindAlb(10).replace(
          '              sleep: {seconds: 10}\n',
          '              sleep:\n                seconds: 30\n',
        ),
        findings: [
          {
            line: 21,
            messageId: 'tooShort',
            data: {
              seconds: 10,
              basis: 'the ALB of Ingress web (deregistration_delay.timeout_seconds 45)',
              range: '15-30s',
            },
          },
        ],
      },
      {
        name: '5 s on a large cluster',

        yaml: sleep(5),
        // What fix writes: the rule's own edit, nothing else.
        output: sleep(5).replace(
          '              sleep: {seconds: 5}\n',
          // 30 s of preStop would fill the default grace: the grace comes with it.
          '              sleep:\n                seconds: 30\n      terminationGracePeriodSeconds: 60\n',
        ),
        profile: 'large',
        findings: [{ line: 20, messageId: 'tooShort', data: { seconds: 5 } }],
      },
      {
        // The API server rejects a sleep longer than the grace period: this one has 90 s.
        name: '60 s on a small cluster',
        yaml: sleep(60).replace('    spec:\n', '    spec:\n      terminationGracePeriodSeconds: 90\n'),
        profile: 'small',
        findings: [{ line: 21, messageId: 'tooLong', data: { basis: 'a small cluster' } }],
      },
      {
        name: '10 s behind a LoadBalancer Service: the external load balancers row, 15-30 s',
        yaml: `apiVersion: v1\nkind: Service\nmetadata: {name: shop}\nspec: {type: LoadBalancer, selector: {app: web}}\n---\n${sleep(10)}`,
        findings: [
          {
            line: 25,
            messageId: 'tooShort',
            data: { basis: 'an external load balancer (LoadBalancer Service shop)', range: '15-30s' },
          },
        ],
      },
    ],
  });
});
