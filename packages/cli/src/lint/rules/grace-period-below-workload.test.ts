import { describe } from 'node:test';
import { deployment, ruleTester, singleton, watcher } from '../../testing/rule-tester.js';
import { gracePeriodBelowWorkload } from './grace-period-below-workload.js';

const webSocket = (grace: string) =>
  deployment({ podSpec: grace }).replace(
    'labels: {app: web}\n    spec:',
    'labels: {app: web}\n      annotations: {lameduck.dev/workload: websocket}\n    spec:',
  );

describe('grace-period-below-workload', () => {
  ruleTester(gracePeriodBelowWorkload, {
    valid: [
      {
        name: "terminationGracePeriodSeconds: 30 written out, no preStop, behind a LoadBalancer (NGINX Inc's chart): the default, prestop-missing speaks",
        yaml:
          deployment({ podSpec: '\n      terminationGracePeriodSeconds: 30' }) +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
      },
      {
        name: "Kong's proxy: kong quit --wait=15 in front of a LoadBalancer holds the range's shorter end, and 30 s holds it plus the buffer",
        yaml:
          deployment({
            podSpec: '\n      terminationGracePeriodSeconds: 30',
            container: '\n          lifecycle: {preStop: {exec: {command: [kong, quit, --wait=15]}}}',
          }) +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
      },
      {
        name: "an explicit 10 s on a Recreate singleton controller behind a Service (KubeRay's operator): a lone endpoint needs no preStop to hold",
        yaml:
          singleton.replace(
            'serviceAccountName: dns',
            'serviceAccountName: dns\n      terminationGracePeriodSeconds: 10',
          ) +
          watcher +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
      },
      { name: 'http with 45 s', yaml: deployment({ podSpec: '\n      terminationGracePeriodSeconds: 45' }) },
      {
        name: 'http with the 30 s default and no preStop: prestop-missing speaks, not the table',
        yaml: deployment(),
      },
      {
        name: 'http with an explicit 30 s: the arithmetic rules judge a chosen grace',
        yaml: deployment({
          podSpec: '\n      terminationGracePeriodSeconds: 30',
          container: '\n          lifecycle: {preStop: {sleep: {seconds: 10}}}',
        }),
      },
      {
        name: 'a preStop of 15 s in the default grace: grace-period-default-too-low speaks',
        yaml: deployment({ container: '\n          lifecycle: {preStop: {sleep: {seconds: 15}}}' }),
      },
      {
        name: 'a known drain: grace-period-exceeded judges it exactly',
        drainSeconds: 10,
        yaml: webSocket(''),
      },
      {
        name: 'a preStop in the default grace on a metrics-only container',
        yaml: deployment({ container: '\n          lifecycle: {preStop: {sleep: {seconds: 5}}}' }).replace(
          '- containerPort: 8080',
          '- {name: metrics, containerPort: 8080}',
        ),
      },
    ],
    invalid: [
      {
        name: 'an explicit 20 s cannot hold even the 15 s kong quit --wait in front of a LoadBalancer plus the buffer',
        yaml:
          deployment({
            podSpec: '\n      terminationGracePeriodSeconds: 20',
            container: '\n          lifecycle: {preStop: {exec: {command: [kong, quit, --wait=15]}}}',
          }) +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
        findings: [
          { line: 13, messageId: 'cannotHoldPreStop', data: { grace: 20, preStop: 15, buffer: 10 } },
        ],
      },
      {
        name: 'an explicit 5 s (microservices-demo): too short to hold a preStop and the buffer',
        yaml:
          deployment({ podSpec: '\n      terminationGracePeriodSeconds: 5' }) +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
        findings: [
          {
            line: 13,
            messageId: 'cannotHoldPreStop',
            data: { grace: 5, preStop: 15, basis: 'a medium cluster', buffer: 10 },
          },
        ],
      },
      {
        name: "the same 5 s where nothing is known to route to the port (KEDA's http-add-on operator): info",
        yaml: deployment({ podSpec: '\n      terminationGracePeriodSeconds: 5' }),
        findings: [{ line: 13, severity: 'info', messageId: 'cannotHoldPreStop' }],
      },
      {
        name: 'a short preStop left in the default 30 s: info',
        yaml: deployment({ container: '\n          lifecycle: {preStop: {sleep: {seconds: 10}}}' }),
        findings: [
          {
            line: 12,
            severity: 'info',
            messageId: 'preStopInDefault',
            message:
              /^the preStop of app takes 10s of the default 30s grace, leaving the app 20s from SIGTERM to SIGKILL; the guide gives a stateless HTTP workload 45-60s/,
          },
        ],
      },
      {
        name: 'a declared WebSocket workload with the default: warning',
        yaml: webSocket(''),
        output: `${webSocket('')}      terminationGracePeriodSeconds: 120\n`,
        findings: [
          {
            line: 13,
            messageId: 'belowGuide',
            message:
              /^a WebSocket \/ long-poll workload gets 30s \(the default\) to stop; the guide gives it 60-120s/,
          },
        ],
      },
      {
        name: 'a StatefulSet is stateful by its kind: 60-120 s, at info',
        yaml: 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: 45\n      containers: [{name: db, image: pg:16}]\n',
        findings: [
          {
            line: 7,
            severity: 'info',
            messageId: 'belowGuide',
            message: /stateful workload \(a StatefulSet\) gets 45s to stop; the guide gives it 60-120s/,
          },
        ],
      },
    ],
  });
});
