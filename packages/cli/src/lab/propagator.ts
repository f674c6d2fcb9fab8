/**
 * Carries EndpointSlice changes to each consumer (a node's kube-proxy, the ingress controller) after
 * that consumer's own delay, in order, and logs when each one stops or starts routing to a pod.
 */
import {
  changedEndpoints,
  type DataPlaneKind,
  type Endpoint,
  routableEndpoints,
} from '../cluster/endpoints.js';
import { applyTime } from '../cluster/propagation.js';
import type { EventLog } from '../recording/records.js';

export class EndpointView {
  endpoints: readonly Endpoint[] = [];
  lastAppliedAt = 0;
  /** The newest change applied: timers due in the same millisecond may fire out of order. */
  appliedSequence = 0;

  constructor(
    readonly name: string,
    readonly plane: DataPlaneKind,
    /** Seconds this consumer takes to act on a change, sampled per change. */
    readonly delaySeconds: () => number,
  ) {}

  routable(): Endpoint[] {
    return routableEndpoints(this.endpoints, this.plane);
  }
}

export class EndpointPropagator {
  private published: readonly Endpoint[] = [];
  private sequence = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly views: readonly EndpointView[],
    private readonly log: EventLog,
  ) {}

  /** The endpoint controller's new truth; each view gets it after its delay. */
  publish(endpoints: readonly Endpoint[]): void {
    if (changedEndpoints(this.published, endpoints).length === 0) return;
    this.published = endpoints;
    const now = this.log.clock.now();
    for (const view of this.views) {
      const at = applyTime(now, view.delaySeconds() * 1000, view.lastAppliedAt);
      view.lastAppliedAt = at;
      const sequence = ++this.sequence;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.apply(view, endpoints, sequence);
      }, at - now);
      this.timers.add(timer);
    }
  }

  /** Applies the truth everywhere at once: used to start from a settled state. */
  settle(endpoints: readonly Endpoint[]): void {
    this.published = endpoints;
    const sequence = ++this.sequence;
    for (const view of this.views) this.apply(view, endpoints, sequence);
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private apply(view: EndpointView, endpoints: readonly Endpoint[], sequence: number): void {
    if (sequence <= view.appliedSequence) return;
    view.appliedSequence = sequence;
    const before = new Set(view.routable().map((e) => e.pod));
    view.endpoints = endpoints;
    const after = new Set(view.routable().map((e) => e.pod));
    for (const pod of before)
      if (!after.has(pod)) this.log.record({ type: 'endpoint-removed', pod, node: view.name });
    for (const pod of after)
      if (!before.has(pod)) this.log.record({ type: 'endpoint-added', pod, node: view.name });
  }
}
