import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { classicSidecarExitsFirst } from './classic-sidecar-exits-first.js';

const sidecar = (image: string, extra = '') =>
  `\n          lifecycle: {preStop: {sleep: {seconds: 15}}}\n        - name: db-proxy\n          image: ${image}${extra}`;

/** The Service in front of the app: a Service routing to it is what shows it serves. */
const service =
  '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n';

describe('classic-sidecar-exits-first', () => {
  ruleTester(classicSidecarExitsFirst, {
    valid: [
      {
        name: 'daprd held back as long as the app works (dapr.io/block-shutdown-duration)',
        yaml: deployment({ container: '\n          lifecycle: {preStop: {sleep: {seconds: 15}}}' }).replace(
          '    metadata:\n      labels: {app: web}\n',
          '    metadata:\n      labels: {app: web}\n      annotations: {dapr.io/enabled: "true", dapr.io/block-shutdown-duration: 20s}\n',
        ),
      },
      {
        name: 'a log shipper loses no request',
        yaml: deployment({ container: sidecar('fluent/fluent-bit:3.1') }),
      },
      {
        name: 'the proxy waits as long as the app',
        yaml: deployment({
          container: sidecar(
            'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0',
            '\n          lifecycle: {preStop: {sleep: {seconds: 20}}}',
          ),
        }),
      },
      {
        name: 'a native sidecar (initContainers, restartPolicy: Always) stops after the app',
        yaml: deployment({
          container: '\n          lifecycle: {preStop: {sleep: {seconds: 15}}}',
          podSpec:
            '\n      initContainers:\n        - {name: db-proxy, image: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0", restartPolicy: Always}',
        }),
        kubeVersion: '1.31',
      },
    ],
    invalid: [
      {
        name: "Dapr's injected daprd beside an app with a 15 s preStop (Dapr's quickstarts): it closes its APIs at t=0",
        yaml:
          deployment({ container: '\n          lifecycle: {preStop: {sleep: {seconds: 15}}}' }).replace(
            '    metadata:\n      labels: {app: web}\n',
            '    metadata:\n      labels: {app: web}\n      annotations: {dapr.io/enabled: "true", dapr.io/app-id: web}\n',
          ) + service,
        findings: [
          {
            line: 12,
            messageId: 'sidecarStopsFirst',
            data: { sidecar: 'daprd', app: 'app', appDone: '15s' },
            fix: /^dapr\.io\/block-shutdown-duration: "15s" \(Dapr 1\.12\+\)/,
          },
        ],
      },
      {
        name: 'a Dapr app no Service routes to (a pub/sub subscriber that daprd alone calls): info',
        yaml: deployment().replace(
          '    metadata:\n      labels: {app: web}\n',
          '    metadata:\n      labels: {app: web}\n      annotations: {dapr.io/enabled: "true"}\n',
        ),
        findings: [
          { line: 12, severity: 'info', messageId: 'sidecarStopsWithApp', data: { sidecar: 'daprd' } },
        ],
      },
      {
        name: 'cloud-sql-proxy next to an app with a 15 s preStop',
        yaml:
          deployment({ container: sidecar('gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0') }) + service,
        kubeVersion: '1.31',
        findings: [
          {
            line: 19,
            messageId: 'sidecarStopsFirst',
            message:
              /^db-proxy \(gcr\.io\/cloud-sql-connectors\/cloud-sql-proxy:2\.11\.0\) is an ordinary container, so it gets SIGTERM at t=0 with the app and stops, while app keeps working until t=15s/,
            fix: /^make it a native sidecar: move it to initContainers with restartPolicy: Always/,
            container: 'db-proxy',
          },
        ],
      },
      {
        name: 'the app has no preStop yet: its requests in flight still need the proxy, and so will the preStop it needs',
        yaml:
          deployment({
            container: sidecar('gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.0').replace(
              '\n          lifecycle: {preStop: {sleep: {seconds: 15}}}',
              '',
            ),
          }) + service,
        kubeVersion: '1.28',
        findings: [
          {
            line: 18,
            messageId: 'sidecarStopsWithApp',
            fix: /^give it a preStop sleep of 15s/,
            container: 'db-proxy',
          },
        ],
      },
      {
        name: 'before 1.29: a preStop of its own first',
        // No sleep action before 1.30: the app waits with an exec sleep.
        yaml:
          deployment({ container: sidecar('edoburu/pgbouncer:1.22') }).replace(
            'preStop: {sleep: {seconds: 15}}',
            'preStop: {exec: {command: ["/bin/sh", "-c", "sleep 15"]}}',
          ) + service,
        kubeVersion: '1.28',
        findings: [
          {
            line: 19,
            messageId: 'sidecarStopsFirst',
            message: /pgbouncer/,
            fix: /^give it a preStop sleep of 15s/,
          },
        ],
      },
    ],
  });
});
