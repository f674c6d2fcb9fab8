/**
 * The data planes in front of the emulated cluster: a kube-proxy per node and an ingress, each with
 * its own view of the endpoints, fed by one propagator. `lab` sends its load through them; the
 * test API server for `verify` hands their URL to the command under test.
 */
import type { DataPlaneKind } from '../cluster/endpoints.js';
import { INGRESS_SYNC_INTERVAL_SECONDS, sampleSeconds } from '../cluster/propagation.js';
import type { LoadTarget } from '../load/generator.js';
import type { SecondsRange } from '../model/guide-tables.js';
import type { EventLog, RouteEntry } from '../recording/records.js';
import type { EmulatedCluster } from './cluster.js';
import { Ingress } from './ingress.js';
import { KubeProxyNode } from './kube-proxy.js';
import { EndpointPropagator, EndpointView } from './propagator.js';

export interface PlaneOptions {
  readonly planes: readonly DataPlaneKind[];
  readonly propagation: SecondsRange;
  /** kube-proxy instances, one per node. */
  readonly nodes: number;
  readonly path: string;
  /** The ingress's upstream keep-alive idle timeout. */
  readonly upstreamKeepAliveMs: number;
  readonly random: () => number;
}

export interface DataPlanes {
  /** One per kube-proxy node, then the ingress. */
  readonly targets: readonly LoadTarget[];
  /** Which pod each kube-proxy connection went to, by client port. */
  readonly routes: readonly RouteEntry[];
  close(): Promise<void>;
}

export async function openDataPlanes(
  cluster: EmulatedCluster,
  log: EventLog,
  options: PlaneOptions,
): Promise<DataPlanes> {
  const { random } = options;
  const propagation = () => sampleSeconds(options.propagation, random);
  const views: EndpointView[] = [];
  const routes: RouteEntry[] = [];
  const targets: LoadTarget[] = [];
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    if (options.planes.includes('kube-proxy')) {
      for (let n = 1; n <= options.nodes; n++) {
        const view = new EndpointView(`node-${n}`, 'kube-proxy', propagation);
        const node = new KubeProxyNode(view, () => log.clock.now(), routes, random);
        const port = await node.listen();
        closers.push(() => node.close());
        views.push(view);
        targets.push({
          name: 'kube-proxy',
          node: view.name,
          url: new URL(options.path, `http://127.0.0.1:${port}`),
        });
      }
    }
    if (options.planes.includes('ingress')) {
      const view = new EndpointView(
        'ingress',
        'ingress',
        () => propagation() + random() * INGRESS_SYNC_INTERVAL_SECONDS,
      );
      const ingress = new Ingress(view, {
        upstreamTimeoutMs: 60_000,
        upstreamKeepAliveMs: options.upstreamKeepAliveMs,
      });
      const port = await ingress.listen();
      closers.push(() => ingress.close());
      views.push(view);
      targets.push({ name: 'ingress', url: new URL(options.path, `http://127.0.0.1:${port}`) });
    }
  } catch (error) {
    await close();
    throw error;
  }
  const propagator = new EndpointPropagator(views, log);
  propagator.settle(cluster.endpoints());
  cluster.onEndpoints((endpoints) => propagator.publish(endpoints));
  closers.push(async () => propagator.stop());
  return { targets, routes, close };
}
