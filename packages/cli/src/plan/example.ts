/**
 * A complete Deployment in the guide's style, for `plan` without a manifest. It is the guide's
 * skeleton with the model's own recommendations applied, so it can never disagree with them.
 */
import { Document, isScalar, type Node, visit } from 'yaml';
import { analyzeWorkload, DRAIN_ANNOTATION } from '../model/analyze.js';
import { applyChanges } from '../model/changes.js';
import type { JsonObject } from '../model/json.js';
import { recommend } from '../model/recommendations.js';
import { findPodTemplate } from '../model/workloads.js';
import type { PlanOptions } from './build.js';

export interface ExampleIdentity {
  readonly name: string;
  readonly image: string;
  readonly port: number;
}

function skeleton(identity: ExampleIdentity, options: PlanOptions): JsonObject {
  const labels = { app: identity.name };
  const annotations =
    options.drainSeconds === undefined ? undefined : { [DRAIN_ANNOTATION]: String(options.drainSeconds) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: identity.name },
    spec: {
      replicas: 3,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: annotations ? { labels, annotations } : { labels },
        spec: {
          containers: [
            {
              name: 'app',
              image: identity.image,
              ports: [{ containerPort: identity.port }],
              livenessProbe: {
                httpGet: { path: '/healthz/live', port: identity.port },
                initialDelaySeconds: 10,
                periodSeconds: 10,
                failureThreshold: 3,
              },
            },
          ],
        },
      },
    },
  };
}

/** Keys listed first, in this order; the rest keep theirs. */
function ordered(object: JsonObject, first: readonly string[]): JsonObject {
  const keys = [
    ...first.filter((k) => k in object),
    ...Object.keys(object).filter((k) => !first.includes(k)),
  ];
  return Object.fromEntries(keys.map((k) => [k, object[k]]));
}

function inGuideOrder(deployment: JsonObject): JsonObject {
  const template = (deployment.spec as JsonObject).template as JsonObject;
  const podSpec = ordered(template.spec as JsonObject, ['terminationGracePeriodSeconds', 'containers']);
  podSpec.containers = (podSpec.containers as JsonObject[]).map((c) =>
    ordered(c, ['name', 'image', 'ports', 'lifecycle', 'readinessProbe', 'livenessProbe']),
  );
  template.spec = podSpec;
  return deployment;
}

const COMMENTS: Record<string, string> = {
  maxUnavailable: 'never remove a pod without a ready replacement',
  seconds: 'wait for endpoint propagation (K8s 1.30+)',
  command: 'wait for endpoint propagation (Kubernetes before 1.30: needs sh and sleep in the image)',
  [DRAIN_ANNOTATION]: 'how long the app drains after SIGTERM (read by lameduck)',
};

export function exampleDeployment(identity: ExampleIdentity, options: PlanOptions): string {
  const object = skeleton(identity, options);
  const lookup = findPodTemplate(object, 'Deployment');
  if (!lookup.found) throw new Error('example skeleton has no pod template');
  const analysis = analyzeWorkload('Deployment', lookup.template, {
    kubeVersion: options.kubeVersion,
    drainSeconds: options.drainSeconds,
    bufferSeconds: options.bufferSeconds,
    workloadType: options.workloadType,
  });
  const { changes } = recommend(analysis, object, options);
  const complete = inGuideOrder(applyChanges(object, 'Deployment', changes));

  const document = new Document(complete, { aliasDuplicateObjects: false });
  visit(document, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const comment = COMMENTS[key];
      if (comment && pair.value) (pair.value as Node).comment = ` ${comment}`;
      if (key === 'terminationGracePeriodSeconds' && isScalar(pair.value)) {
        pair.value.comment = " preStop + drain + buffer, within the guide's range for the workload";
      }
    },
  });
  return document.toString({ lineWidth: 0 });
}
