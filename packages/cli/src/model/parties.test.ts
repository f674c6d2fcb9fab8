import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { getObject, getString, isObject } from './json.js';
import { namespaceOf, neighbourFinder } from './neighbours.js';
import { partiesInFront, preStopCoverage } from './parties.js';
import { findPodTemplate, isWorkloadKind } from './workloads.js';

/** The parties in front of the first workload of a YAML stream. */
function parties(yaml: string) {
  const objects = parseAllDocuments(yaml)
    .map((document) => document.toJS() as unknown)
    .filter(isObject)
    .map((value) => ({ kind: getString(value, ['kind']) ?? '', value }));
  const workload = objects.find((o) => isWorkloadKind(o.kind)) ?? assert.fail('no workload');
  const lookup = findPodTemplate(workload.value, workload.kind as 'Deployment');
  if (!lookup.found) return assert.fail(lookup.problem);
  const labels = getObject(lookup.template.metadata, ['labels']) ?? {};
  const neighbours = neighbourFinder(objects)(labels, namespaceOf(workload.value));
  return partiesInFront(
    { kind: workload.kind, object: workload.value, template: lookup.template },
    neighbours,
  );
}

const deployment = (labels = '{app: web}', annotations = '{}') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: ${labels}, annotations: ${annotations}}
    spec: {containers: [{name: app, image: web, ports: [{containerPort: 8080}]}]}
`;
const service = (spec = '', metadata = '') =>
  `---\napiVersion: v1\nkind: Service\nmetadata: {name: web${metadata}}\nspec: {selector: {app: web}${spec}}\n`;
const ingress = (className: string, annotations = '{}') =>
  `---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, annotations: ${annotations}}\nspec: {ingressClassName: ${className}, defaultBackend: {service: {name: web}}}\n`;
const summary = (found: ReturnType<typeof parties>) =>
  found.map((p) => `${p.kind} ${p.from}-${p.until ?? '?'}: ${p.setting}`);

describe('partiesInFront', () => {
  it('finds nothing in front of a lone Deployment', () => {
    assert.deepEqual(parties(deployment()), []);
  });

  it('reads an ALB target group, its delay defaulting to 300 s', () => {
    assert.deepEqual(summary(parties(deployment() + service() + ingress('alb'))), [
      'aws-alb 0-300: deregistration_delay.timeout_seconds 300 by default',
    ]);
  });

  it('reads an NLB of the controller with its delay, and does not count it again as a LoadBalancer Service', () => {
    const nlb = service(
      ', type: LoadBalancer',
      ', annotations: {service.beta.kubernetes.io/aws-load-balancer-type: external, service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: "deregistration_delay.timeout_seconds=20"}',
    );
    assert.deepEqual(summary(parties(deployment() + nlb)), [
      'aws-nlb 0-20: deregistration_delay.timeout_seconds 20',
    ]);
  });

  it("gives any other LoadBalancer Service the guide's external load balancers row, 15-30 s", () => {
    const [party] = parties(deployment() + service(', type: LoadBalancer'));
    assert.equal(party?.kind, 'load-balancer');
    assert.deepEqual(party?.sendsFor, { min: 15, max: 30 });
  });

  it('reads a GKE BackendConfig named by the Service, and its draining timeout', () => {
    const yaml = `${deployment()}${service('', ', annotations: {cloud.google.com/backend-config: \'{"default": "drain"}\'}')}---
apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata: {name: drain}
spec: {connectionDraining: {drainingTimeoutSec: 40}}
`;
    assert.deepEqual(summary(parties(yaml)), [
      'gke-backend-config 0-40: BackendConfig drain connectionDraining.drainingTimeoutSec 40',
    ]);
  });

  it('reads ingress-nginx: its keep-alive timeout from the ConfigMap, and a proxy-next-upstream without error', () => {
    const yaml = `${deployment()}${service()}${ingress('nginx', '{nginx.ingress.kubernetes.io/proxy-next-upstream: "off"}')}---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller}
data: {upstream-keepalive-timeout: "30"}
`;
    const [party] = parties(yaml);
    assert.equal(party?.setting, 'upstream-keepalive-timeout 30s, proxy-next-upstream "off"');
    assert.match(party?.does ?? '', /does not retry a refused connection/);
  });

  it('reads the mesh proxies: Istio drain (5 s default) and Linkerd wait', () => {
    assert.deepEqual(summary(parties(deployment('{app: web, sidecar.istio.io/inject: "true"}'))), [
      'istio-proxy 0-5: terminationDrainDuration 5s by default',
    ]);
    const linkerd = deployment(
      '{app: web}',
      '{linkerd.io/inject: enabled, config.alpha.linkerd.io/proxy-wait-before-exit-seconds: "25"}',
    );
    assert.deepEqual(summary(parties(linkerd)), [
      'linkerd-proxy 0-25: config.alpha.linkerd.io/proxy-wait-before-exit-seconds 25',
    ]);
  });

  it('puts an Argo blue-green switch before deletion: the scale-down delay, 30 s by default', () => {
    const rollout = deployment()
      .replace('apps/v1', 'argoproj.io/v1alpha1')
      .replace('kind: Deployment', 'kind: Rollout')
      .replace('spec:\n  selector', 'spec:\n  strategy: {blueGreen: {activeService: web}}\n  selector');
    assert.deepEqual(summary(parties(rollout)), [
      'argo-rollouts -30-0: blueGreen.scaleDownDelaySeconds 30 by default',
    ]);
  });
});

describe('preStopCoverage', () => {
  const yaml = (delay: number) =>
    deployment() +
    service(', type: LoadBalancer') +
    ingress(
      'alb',
      `{alb.ingress.kubernetes.io/target-group-attributes: "deregistration_delay.timeout_seconds=${delay}"}`,
    );

  it('is the cluster size when nothing in front is slower', () => {
    const coverage = preStopCoverage(parties(deployment()), 'large');
    assert.deepEqual(
      [coverage.range, coverage.basis, coverage.party],
      [{ min: 15, max: 30 }, 'a large cluster', undefined],
    );
  });

  it('is the slowest party: an NLB in IP mode (up to 2 minutes to deregister) over a medium cluster', () => {
    const nlb = service(
      ', type: LoadBalancer',
      ', annotations: {service.beta.kubernetes.io/aws-load-balancer-type: external, service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip}',
    );
    const coverage = preStopCoverage(parties(deployment() + nlb), 'medium');
    assert.deepEqual(coverage.range, { min: 15, max: 120 });
    assert.match(coverage.basis, /^the NLB of Service web/);
  });

  it("gives an ALB the external load balancers' row whatever its delay: the delay is for requests in flight, not new ones", () => {
    for (const delay of [10, 60, 300]) {
      const coverage = preStopCoverage(
        parties(
          deployment() +
            ingress(
              'alb',
              `{alb.ingress.kubernetes.io/target-group-attributes: "deregistration_delay.timeout_seconds=${delay}"}`,
            ) +
            service(),
        ),
        'medium',
      );
      assert.deepEqual(coverage.range, { min: 15, max: 30 });
    }
  });

  it('keeps the LoadBalancer row when the ALB delay is shorter than its minimum', () => {
    const coverage = preStopCoverage(parties(yaml(10)), 'medium');
    assert.deepEqual(coverage.range, { min: 15, max: 30 });
    assert.equal(coverage.basis, 'an external load balancer (LoadBalancer Service web)');
  });

  it('names the party on a tie with the cluster size: it is the more precise cause', () => {
    const coverage = preStopCoverage(parties(deployment() + service(', type: LoadBalancer')), 'large');
    assert.equal(coverage.party?.kind, 'load-balancer');
  });
});
