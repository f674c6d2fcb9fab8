/**
 * The emulated control plane: the Deployment and ReplicaSet controllers (the pure `reconcile`), the
 * endpoint controller (EndpointSlice conditions from pod state), and the pods the kubelet runs.
 * It exposes the same moves a real cluster offers: rollout restart, pod deletion, scaling.
 */
import net from 'node:net';
import { type Endpoint, endpointOf } from '../cluster/endpoints.js';
import { type DeploymentView, reconcile, rolloutComplete } from '../cluster/rollout.js';
import type { EventLog } from '../recording/records.js';
import { Pod, type PodContext } from './pod.js';
import type { LabSpec } from './spec.js';

export class EmulatedCluster {
  readonly pods: Pod[] = [];
  private deployment: DeploymentView;
  private reconciling = false;
  private stopped = false;
  private dirty = false;
  private sequence = 0;
  private readonly waiters = new Set<() => void>();
  private ticker: NodeJS.Timeout | undefined;
  private readonly endpointListeners: ((endpoints: Endpoint[]) => void)[] = [];

  constructor(
    private readonly context: Omit<PodContext, 'onChange'>,
    private readonly log: EventLog,
  ) {
    const { spec } = context;
    this.deployment = {
      replicas: spec.replicas,
      revision: 1,
      strategy: spec.strategy,
      minReadySeconds: spec.minReadySeconds,
    };
    // minReadySeconds makes availability a matter of time, not only of events.
    if (spec.minReadySeconds > 0) this.ticker = setInterval(() => this.changed(), 250);
  }
  /** What is rehearsed, as the model read it from the manifest or the flags. */
  get spec(): LabSpec {
    return this.context.spec;
  }

  get revision(): number {
    return this.deployment.revision;
  }

  /** Pods that still exist (terminating ones included). */
  livePods(): Pod[] {
    return this.pods.filter((p) => !p.deleted);
  }

  endpoints(): Endpoint[] {
    return this.livePods().map((pod) =>
      endpointOf(
        { pod: pod.name, host: pod.host, port: pod.port, podReady: pod.ready, terminating: pod.terminating },
        this.context.spec.publishNotReadyAddresses,
      ),
    );
  }

  onEndpoints(listener: (endpoints: Endpoint[]) => void): void {
    this.endpointListeners.push(listener);
  }

  /** Starts the ReplicaSet: creates the first pods. */
  start(): void {
    this.changed();
  }

  /** kubectl rollout restart: a new template revision, rolled out by the controller. */
  restart(): void {
    this.deployment = { ...this.deployment, revision: this.deployment.revision + 1 };
    this.log.record({ type: 'rollout-start', detail: `revision ${this.deployment.revision}` });
    this.changed();
  }

  /** kubectl delete pod (an eviction): the ReplicaSet replaces it at once. */
  evict(pod: Pod): void {
    void pod.delete();
  }

  scale(replicas: number): void {
    this.deployment = { ...this.deployment, replicas };
    this.changed();
  }

  /** Resolves once the Deployment is complete and no pod is terminating. */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.isSettled()) {
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  isSettled(): boolean {
    const live = this.livePods();
    return (
      live.every((p) => !p.terminating) &&
      rolloutComplete(
        this.deployment,
        live.map((p) => p.view()),
        this.now(),
      )
    );
  }

  /** Ends every process at once. */
  kill(): void {
    this.stopped = true;
    clearInterval(this.ticker);
    for (const pod of this.pods) pod.kill();
  }

  private now(): number {
    return this.log.clock.now() / 1000;
  }

  private changed(): void {
    if (this.stopped) return;
    for (const listener of this.endpointListeners) listener(this.endpoints());
    for (const waiter of [...this.waiters]) waiter();
    void this.reconcile();
  }

  /** One reconcile at a time; a change during one triggers another. */
  private async reconcile(): Promise<void> {
    if (this.reconciling) {
      this.dirty = true;
      return;
    }
    this.reconciling = true;
    try {
      do {
        this.dirty = false;
        const actions = reconcile(
          this.deployment,
          this.livePods().map((p) => p.view()),
          this.now(),
        );
        for (const action of actions) {
          if (action.kind === 'delete') {
            for (const name of action.pods) void this.pods.find((p) => p.name === name)?.delete();
          } else {
            for (let i = 0; i < action.count; i++) await this.createPod(action.revision);
          }
        }
      } while (this.dirty);
    } finally {
      this.reconciling = false;
    }
    if (
      rolloutComplete(
        this.deployment,
        this.livePods().map((p) => p.view()),
        this.now(),
      )
    ) {
      const last = this.log.events.findLast(
        (e) => e.type === 'rollout-start' || e.type === 'rollout-complete',
      );
      if (last?.type === 'rollout-start')
        this.log.record({ type: 'rollout-complete', detail: `revision ${this.deployment.revision}` });
    }
  }

  private async createPod(revision: number): Promise<void> {
    const { spec } = this.context;
    const ports = new Map<number | string, number>();
    for (const port of spec.ports) {
      const real = await freePort();
      ports.set(port.port, real);
      if (port.name) ports.set(port.name, real);
    }
    if (this.stopped) return;
    const name = `${spec.name}-r${revision}-${++this.sequence}`;
    const pod = new Pod(name, revision, ports, { ...this.context, onChange: () => this.changed() });
    this.pods.push(pod);
    pod.start();
  }
}

/** A port nobody listens on right now, for a replica to take. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
