import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { gracePeriodCappedByPolicy } from './grace-period-capped-by-policy.js';

/** preStop 15 s + drain 20 s + buffer 10 s: the pod needs 45 s, which it has. */
const web = deployment({
  podSpec: '\n      terminationGracePeriodSeconds: 45',
  container: '\n          lifecycle:\n            preStop:\n              sleep: {seconds: 15}',
});

const kyverno = (rule: string, kind = 'ClusterPolicy', policy = '  validationFailureAction: Enforce\n') =>
  `${web}---
apiVersion: kyverno.io/v1
kind: ${kind}
metadata: {name: max-grace, namespace: default}
spec:
${policy}  rules:
    - name: max-grace
${rule}`;
const podMatch = '      match:\n        any:\n          - resources:\n              kinds: [Pod]\n';
const pattern = (value: string, match = podMatch) =>
  kyverno(
    `${match}      validate:\n        pattern:\n          spec:\n            terminationGracePeriodSeconds: "${value}"\n`,
  );
const deny = (conditions: string, match = podMatch) =>
  kyverno(`${match}      validate:\n        deny:\n          conditions:\n${conditions}`);
const condition = (
  operator: string,
  value: number,
  key = '"{{ request.object.spec.terminationGracePeriodSeconds }}"',
) => `              - key: ${key}\n                operator: ${operator}\n                value: ${value}\n`;

const gatekeeper = (rego: string, parameters = '') =>
  `${web}---
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8smaxgrace}
spec:
  crd:
    spec:
      names: {kind: K8sMaxGrace}
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8smaxgrace
        violation[{"msg": "grace too long"}] {
          input.review.object.spec.terminationGracePeriodSeconds ${rego}
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sMaxGrace
metadata: {name: max-grace}
spec:
  match:
    kinds: [{apiGroups: [""], kinds: [Pod]}]${parameters}
`;

describe('grace-period-capped-by-policy', () => {
  ruleTester(gracePeriodCappedByPolicy, {
    valid: [
      { name: 'a cap above what the pod needs', yaml: pattern('<=60'), drainSeconds: 20 },
      {
        name: 'a rule that also selects by label: its reach is not known',
        yaml: pattern(
          '<=30',
          '      match:\n        any:\n          - resources:\n              kinds: [Pod]\n              selector: {matchLabels: {tier: batch}}\n',
        ),
        drainSeconds: 20,
      },
      {
        name: 'a namespaced Policy in another namespace',
        yaml: pattern('<=30').replace(
          'kind: ClusterPolicy\nmetadata: {name: max-grace, namespace: default}',
          'kind: Policy\nmetadata: {name: max-grace, namespace: jobs}',
        ),
        drainSeconds: 20,
      },
      {
        name: 'deny conditions that hold only together',
        yaml: deny(
          `            all:\n${condition('GreaterThan', 30)}${condition('Equals', 1, '"{{ request.object.spec.priority }}"')}`,
        ),
        drainSeconds: 20,
      },
      {
        name: 'a deny on a grace below a floor is no cap',
        yaml: deny(`            any:\n${condition('LessThan', 10)}`),
        drainSeconds: 20,
      },
      {
        name: 'a Gatekeeper parameter above what the pod needs',
        yaml: gatekeeper('> input.parameters.maxSeconds', '\n  parameters: {maxSeconds: 60}'),
        drainSeconds: 20,
      },
      {
        name: 'match filters that must all hold (Pods, and only in namespace jobs)',
        yaml: pattern(
          '<=30',
          '      match:\n        all:\n          - resources: {kinds: [Pod]}\n          - resources: {namespaces: [jobs]}\n',
        ),
        drainSeconds: 20,
      },
      { name: 'no policy', yaml: web, drainSeconds: 20 },
    ],
    invalid: [
      {
        name: 'a Kyverno pattern "<=30" on Pods, enforced',
        yaml: pattern('<=30'),
        drainSeconds: 20,
        findings: [
          {
            line: 37,
            messageId: 'rejected',
            message:
              /Kyverno ClusterPolicy max-grace admits terminationGracePeriodSeconds up to 30s \(pattern "<=30"\), but pods of Deployment web need 45s \(preStop \+ drain \+ buffer = 15 \+ 20 \+ 10 = 45s.*\): the API server rejects pods with enough grace/,
            fix: /raise the cap in Kyverno ClusterPolicy max-grace to 45 or more/,
          },
        ],
      },
      {
        name: 'a Kyverno deny when the Deployment template asks more than 40 s, audited',
        yaml: deny(
          `            any:\n${condition('GreaterThan', 40, '"{{ request.object.spec.template.spec.terminationGracePeriodSeconds }}"')}`,
          '      match:\n        any:\n          - resources:\n              kinds: [apps/v1/Deployment]\n',
        ).replace('  validationFailureAction: Enforce\n', ''),
        drainSeconds: 20,
        findings: [
          {
            line: 37,
            messageId: 'reported',
            message: /up to 40s \(deny when terminationGracePeriodSeconds > 40\).*reported as a violation/,
          },
        ],
      },
      {
        name: 'a Gatekeeper constraint whose parameter caps at 30 s',
        yaml: gatekeeper('> input.parameters.maxSeconds', '\n  parameters: {maxSeconds: 30}'),
        drainSeconds: 20,
        findings: [
          {
            line: 44,
            messageId: 'rejected',
            message:
              /Gatekeeper K8sMaxGrace max-grace admits .* up to 30s \(Rego terminationGracePeriodSeconds > input\.parameters\.maxSeconds \(30\)\)/,
          },
        ],
      },
      {
        name: 'a Gatekeeper template whose Rego caps at 20 s',
        yaml: gatekeeper('>= 21'),
        drainSeconds: 20,
        findings: [
          {
            line: 30,
            messageId: 'rejected',
            message: /up to 20s \(Rego terminationGracePeriodSeconds >= 21\)/,
          },
        ],
      },
    ],
  });
});
