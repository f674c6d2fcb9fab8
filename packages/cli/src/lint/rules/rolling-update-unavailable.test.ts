import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { rollingUpdateUnavailable } from './rolling-update-unavailable.js';

describe('rolling-update-unavailable', () => {
  ruleTester(rollingUpdateUnavailable, {
    valid: [
      {
        name: "replicas: 0 (a Deployment an Argo Rollout's workloadRef runs): no pod to remove",
        yaml: `${deployment({ replicas: 0, extra: '\n  strategy: {rollingUpdate: {maxUnavailable: 1, maxSurge: 0}}' })}---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n`,
      },
      {
        name: 'Recreate on a controller of one that watches the API (external-dns): two must never run at once',
        yaml:
          deployment({
            replicas: 1,
            extra: '\n  strategy: {type: Recreate}',
            podSpec: '\n      serviceAccountName: dns',
          }) +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 7979, targetPort: 8080}]\n' +
          '---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: dns}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: external-dns}\nrules:\n  - {apiGroups: [""], resources: [services], verbs: [get, watch, list]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: external-dns}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: external-dns}\nsubjects: [{kind: ServiceAccount, name: dns, namespace: default}]\n',
      },
      {
        name: 'Recreate on an in-memory Pushgateway of one: a second instance would hold half the pushed groups',
        yaml: `${deployment({ replicas: 1, extra: '\n  strategy: {type: Recreate}' }).replace('image: web:1', 'image: prom/pushgateway:v1.11.0')}---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n`,
      },
      {
        name: "Recreate on a ReadWriteOnce claim (Prometheus' server): a surge would wait for the volume forever",
        yaml: `${deployment({ replicas: 1, extra: '\n  strategy: {type: Recreate}', podSpec: '\n      volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]' })}---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n`,
      },
      {
        name: "Recreate of one that writes its data to an emptyDir at /data (Synapse's SQLite and signing key): its design",
        yaml:
          deployment({
            replicas: 1,
            extra: '\n  strategy: {type: Recreate}',
            podSpec: '\n      volumes: [{name: data, emptyDir: {}}]',
            container: '\n          volumeMounts: [{name: data, mountPath: /data}]',
          }) +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
      },
      {
        name: "Recreate of one on a claim the input does not declare (Nextcloud's /var/www/html): its design",
        yaml:
          deployment({
            replicas: 1,
            extra: '\n  strategy: {type: Recreate}',
            podSpec: '\n      volumes: [{name: data, persistentVolumeClaim: {claimName: html}}]',
            container: '\n          volumeMounts: [{name: data, mountPath: /var/www/html}]',
          }) +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
      },
      {
        name: 'Recreate on a singleton that no Service selects (a controller)',
        yaml: deployment({ replicas: 1, extra: '\n  strategy: {type: Recreate}' }),
      },
      { name: 'defaults with 3 replicas resolve to 0 unavailable', yaml: deployment({ replicas: 3 }) },
      {
        name: 'maxUnavailable 0',
        yaml: deployment({
          replicas: 10,
          extra: '\n  strategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}',
        }),
      },
    ],
    invalid: [
      {
        name: 'defaults with 4 replicas: 1 unavailable',

        yaml: deployment({ replicas: 4 }),
        // What fix writes: the rule's own edit, nothing else.
        output: `${deployment({ replicas: 4 })}  strategy:
    rollingUpdate:
      maxUnavailable: 0
`,
        findings: [{ line: 5, severity: 'info', messageId: 'capacityDrops', data: { unavailable: 1 } }],
      },
      {
        name: 'one replica, maxSurge 0: the only pod goes before its replacement is ready, an outage',
        yaml: deployment({
          replicas: 1,
          extra: '\n  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}',
        }),
        findings: [{ line: 9, messageId: 'noneLeft', data: { replicas: 1, maxSurge: '0' } }],
      },
      {
        name: 'one replica with the default 25 % surge: maxUnavailable 1 still lets the only pod go first (podinfo)',
        yaml: deployment({ replicas: 1, extra: '\n  strategy: {rollingUpdate: {maxUnavailable: 1}}' }),
        findings: [{ line: 9, messageId: 'noneLeft', data: { replicas: 1, maxSurge: '25%' } }],
      },
      {
        name: "a single PostgreSQL under a rolling update (n8n's manifests): the fix is Recreate, not a surge onto the same data",
        yaml:
          deployment({
            replicas: 1,
            extra: '\n  strategy: {rollingUpdate: {maxUnavailable: 1, maxSurge: 1}}',
          }).replace('image: web:1', 'image: postgres:16') +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 5432, targetPort: 8080}]\n',
        findings: [
          { line: 9, messageId: 'noneLeft', fix: /^strategy: \{type: Recreate\}: two copies of one store/ },
        ],
      },
      {
        name: 'Recreate',
        yaml: deployment({ extra: '\n  strategy: {type: Recreate}' }),
        findings: [{ line: 9, messageId: 'recreate' }],
      },
      {
        name: 'Recreate of one behind a Service with only a scratch emptyDir at /tmp: no state, so the outage is a bug',
        yaml:
          deployment({
            replicas: 1,
            extra: '\n  strategy: {type: Recreate}',
            podSpec: '\n      volumes: [{name: data, emptyDir: {}}]',
            container: '\n          volumeMounts: [{name: data, mountPath: /tmp}]',
          }) +
          '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
        findings: [{ line: 9, messageId: 'recreate' }],
      },
    ],
  });
});
