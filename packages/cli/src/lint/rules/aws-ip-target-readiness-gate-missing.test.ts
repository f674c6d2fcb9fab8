import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { awsIpTargetReadinessGateMissing } from './aws-ip-target-readiness-gate-missing.js';

const namespace = (labels = '') => `apiVersion: v1
kind: Namespace
metadata:
  name: default${labels}
---
`;
const nlb = (targetType: string) => `---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-type: external
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ${targetType}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80}]
`;

describe('aws-ip-target-readiness-gate-missing', () => {
  ruleTester(awsIpTargetReadinessGateMissing, {
    valid: [
      {
        name: 'the namespace injects the gate',
        yaml:
          namespace('\n  labels: {elbv2.k8s.aws/pod-readiness-gate-inject: enabled}') +
          deployment() +
          nlb('ip'),
      },
      {
        name: 'instance targets: the nodes are the targets',
        yaml: namespace() + deployment() + nlb('instance'),
      },
      { name: 'no Namespace in the input: nothing is known', yaml: deployment() + nlb('ip') },
      {
        name: 'the pod template carries the gate itself',
        yaml:
          namespace() +
          deployment({
            podSpec:
              '\n      readinessGates: [{conditionType: target-health.elbv2.k8s.aws/k8s-default-web-abc}]',
          }) +
          nlb('ip'),
      },
    ],
    invalid: [
      {
        name: 'NLB IP targets in a namespace without the label: points at the Namespace',
        yaml: namespace() + deployment() + nlb('ip'),
        findings: [
          {
            line: 4,
            message:
              /NLB of web sends to pods of Deployment web by IP, but a new pod counts as ready before the load balancer has registered it/,
            fix: /label Namespace default with elbv2.k8s.aws\/pod-readiness-gate-inject: enabled/,
          },
        ],
      },
    ],
  });
});
