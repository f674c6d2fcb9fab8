/**
 * One rehearsal on a real cluster: load against the user's URL, a steady baseline, the same patch
 * `kubectl rollout restart` makes, then the rollout watched through the API on the load's clock
 * until it is complete, every old pod is gone, and the baseline is steady again.
 *
 * The only write is the restart patch. Stopping (Ctrl-C) ends the load and the watches and leaves
 * the cluster as it is: the rollout, once started, is the cluster's to finish.
 */

import { setTimeout as delay } from 'node:timers/promises';
import { type ClusterApi, ClusterError, listItems } from '../kube/api.js';
import { type ChangeType, Reflector, type WatchTrouble } from '../kube/reflector.js';
import {
  type RestartPatch,
  restartPatch,
  restartRefusal,
  rolloutState,
  selectorQuery,
} from '../kube/restart.js';
import { describeRef, type WorkloadRef, workloadPath } from '../kube/workload-ref.js';
import { type LoadGenerator, type LoadModel, rehearsalLoad } from '../load/generator.js';
import { getObject, getString, type JsonObject } from '../model/json.js';
import { serviceSelects } from '../model/services.js';
import type { ProgressSnapshot } from '../recording/records.js';
import { EventLog, monotonicClock, type Recording, type RequestRecord } from '../recording/records.js';
import { isReady, kubeletEvent, type Observed, podEvents, sliceEvents } from './observe.js';

export interface VerifyOptions {
  readonly api: ClusterApi;
  readonly ref: WorkloadRef;
  readonly namespace: string;
  readonly url: URL;
  readonly model: LoadModel;
  readonly keepAlive: boolean;
  readonly method: string;
  readonly body?: string;
  readonly timeoutMs: number;
  /** Load runs at least this long in total. */
  readonly durationMs: number;
  /** Load before the restart, which must end with a second free of failures. */
  readonly baselineMs: number;
  /** How long the rollout may take before verify gives up. */
  readonly rolloutTimeoutMs: number;
  /** Load after the rollout, for the tail to be steady again. */
  readonly tailMs: number;
  /** Now, as a Date, for the restart stamp (injected for tests). */
  readonly now?: () => Date;
}

/** The workload as read before the restart, for the report's setup line. */
export interface Target {
  readonly workload: JsonObject;
  readonly podTemplate: JsonObject;
  readonly services: readonly string[];
  readonly patch: RestartPatch;
}

/** An EndpointSlice change as seen, raw, on the run's clock. */
export interface SliceChange {
  readonly at: number;
  readonly type: ChangeType;
  readonly object: JsonObject;
}

export interface VerifyRun {
  readonly recording: Recording;
  readonly target: Target;
  /** Every EndpointSlice change seen, for the escalation bundle. */
  readonly sliceChanges: readonly SliceChange[];
  readonly watch: { readonly relists: number; readonly reconnects: number };
}

const STEADY_MS = 1000;

export class Verify {
  readonly log = new EventLog(monotonicClock());
  private load: LoadGenerator | undefined;
  private readonly reflectors: Reflector[] = [];
  private podReflector: Reflector | undefined;
  private phase = 'reading the workload';
  private stopped = false;
  private readonly sliceChanges: SliceChange[] = [];
  /** The first watch that failed for good (403, 404): every wait checks it. */
  private fatal: Error | undefined;

  constructor(private readonly options: VerifyOptions) {}

  /** The workload, its pods' Services and the patch; refuses what kubectl would refuse. */
  async prepare(): Promise<Target> {
    const { api, ref, namespace } = this.options;
    const workload = await api.get(workloadPath(ref, namespace));
    const refusal = restartRefusal(ref, workload);
    if (refusal) throw new ClusterError(refusal);
    const podTemplate = getObject(workload, ['spec', 'template']) ?? {};
    const labels = getObject(podTemplate, ['metadata', 'labels']) ?? {};
    const services = await api.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/services`);
    const selecting = listItems(services)
      .filter((service) => serviceSelects(service, labels))
      .map((service) => getString(service, ['metadata', 'name']) ?? '');
    return {
      workload,
      podTemplate,
      services: selecting,
      patch: restartPatch(ref, (this.options.now ?? (() => new Date()))()),
    };
  }

  /** A server-side dry run of the patch: proves the permission without changing anything. */
  async dryRun(target: Target): Promise<void> {
    const { api, ref, namespace } = this.options;
    await api.patch(workloadPath(ref, namespace), target.patch.body, target.patch.contentType, {
      dryRun: 'All',
    });
  }

  progress(): ProgressSnapshot | undefined {
    if (!this.load) return undefined;
    return {
      at: this.log.clock.now(),
      load: this.load.stats(),
      phase: this.phase,
      pods: (this.podReflector?.items() ?? []).map((pod) => ({
        name: getString(pod, ['metadata', 'name']) ?? '?',
        ready: isReady(pod),
        terminating: getString(pod, ['metadata', 'deletionTimestamp']) !== undefined,
      })),
    };
  }

  /** Stops the load and the watches; the cluster is left as it is. */
  abort(): void {
    this.stopped = true;
    for (const reflector of this.reflectors) reflector.stop();
  }

  async run(target: Target): Promise<VerifyRun> {
    const { options, log } = this;
    const { api, ref, namespace } = options;
    const startedAt = new Date().toISOString();
    const ns = encodeURIComponent(namespace);
    const selector = selectorQuery(target.workload);
    if (selector === undefined) throw new ClusterError(`${describeRef(ref, namespace)} has no pod selector`);
    const record = (events: readonly Observed[]) => {
      for (const event of events) log.record(event);
    };
    let synced = false;
    this.podReflector = this.watch(
      `/api/v1/namespaces/${ns}/pods`,
      { labelSelector: selector },
      (type, object, previous) => {
        if (synced) record(podEvents(type, object, previous));
      },
    );
    for (const service of target.services) {
      this.watch(
        `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
        { labelSelector: `kubernetes.io/service-name=${service}` },
        (type, object, previous) => {
          if (!synced) return;
          this.sliceChanges.push({ at: log.clock.now(), type, object });
          record(sliceEvents(type, object, previous));
        },
      );
    }
    const since = Date.now() - 1000;
    this.watch(
      `/api/v1/namespaces/${ns}/events`,
      { fieldSelector: 'involvedObject.kind=Pod' },
      (type, object) => {
        if (!synced || type === 'DELETED') return;
        const stamp = getString(object, ['lastTimestamp']) ?? getString(object, ['eventTime']);
        if (stamp !== undefined && Date.parse(stamp) < since) return;
        const observed = kubeletEvent(object);
        if (observed) record([observed]);
      },
    );
    let workload = target.workload;
    const name = getString(target.workload, ['metadata', 'name']) ?? ref.name;
    const collection = workloadPath(ref, namespace).replace(/\/[^/]+$/, '');
    this.watch(collection, { fieldSelector: `metadata.name=${name}` }, (_type, object) => {
      workload = object;
    });
    try {
      void Promise.all(this.reflectors.map((r) => r.synced)).then(() => {
        synced = true;
      });
      while (!synced) await this.sleep(50);

      const load = rehearsalLoad([{ name: options.url.host, url: options.url }], options, log.clock);
      let records: RequestRecord[] = [];
      this.load = load;
      const loadStart = log.clock.now();
      log.record({ type: 'load-start' });
      load.start();
      try {
        this.phase = 'baseline';
        await this.steady(load, options.baselineMs, 'before the restart');

        this.phase = 'rolling restart';
        await api.patch(workloadPath(ref, namespace), target.patch.body, target.patch.contentType);
        log.record({ type: 'rollout-start', detail: target.patch.description });
        const oldPods = new Set(this.podNames());
        await this.until(
          () =>
            rolloutState(ref, workload).done && [...oldPods].every((pod) => !this.podNames().includes(pod)),
          options.rolloutTimeoutMs,
          () => {
            const unfinished = `did not finish within ${Math.round(options.rolloutTimeoutMs / 1000)} s (${rolloutState(ref, workload).message})`;
            const trouble = this.apiTrouble();
            // What the API did comes first: it is why the end of the rollout could not be seen.
            return `${
              trouble === undefined
                ? `the rollout of ${describeRef(ref, namespace)} ${unfinished}`
                : `the API server failed during the rollout of ${describeRef(ref, namespace)}: ${trouble}; the rollout ${unfinished}`
            }; the load was stopped and the cluster left as it is`;
          },
        );
        log.record({ type: 'rollout-complete', detail: rolloutState(ref, workload).message });

        this.phase = 'steady tail';
        const remaining = loadStart + options.durationMs - log.clock.now();
        await this.steady(load, Math.max(options.tailMs, remaining), 'after the rollout');
      } finally {
        this.phase = 'stopping';
        records = await load.stop();
        log.record({ type: 'load-end' });
      }
      const stats = this.reflectors.map((r) => r.stats());
      return {
        recording: {
          startedAt,
          durationMs: log.clock.now(),
          requests: records,
          events: [...log.events],
          dropped: load.stats().dropped,
        },
        target,
        sliceChanges: this.sliceChanges,
        watch: {
          relists: stats.reduce((sum, s) => sum + s.relists, 0),
          reconnects: stats.reduce((sum, s) => sum + s.reconnects, 0),
        },
      };
    } finally {
      this.abort();
    }
  }

  private watch(
    path: string,
    query: Record<string, string>,
    onChange: ConstructorParameters<typeof Reflector>[3],
  ): Reflector {
    const reflector = new Reflector(this.options.api, path, query, onChange);
    reflector.finished.catch((error: unknown) => {
      this.fatal ??= error as Error;
    });
    this.reflectors.push(reflector);
    return reflector;
  }

  /**
   * Why the API may not have shown the rollout's end: its watches failing while they retried, one
   * clause per distinct error ("cannot reach ... (watching pods, events; 4 attempts)").
   */
  private apiTrouble(): string | undefined {
    const byError = new Map<string, WatchTrouble[]>();
    for (const trouble of this.reflectors.map((r) => r.trouble())) {
      if (trouble) byError.set(trouble.error, [...(byError.get(trouble.error) ?? []), trouble]);
    }
    if (byError.size === 0) return undefined;
    return [...byError]
      .map(
        ([error, troubles]) =>
          `${error} (watching ${troubles.map((t) => t.resource).join(', ')}; ${Math.max(...troubles.map((t) => t.attempts))} failed attempts)`,
      )
      .join('; ');
  }

  private podNames(): string[] {
    return (this.podReflector?.items() ?? []).map((pod) => getString(pod, ['metadata', 'name']) ?? '');
  }

  /** Waits at least `ms`, and then until a whole second has passed with no new failure. */
  private async steady(load: LoadGenerator, ms: number, when: string): Promise<void> {
    const end = this.log.clock.now() + ms;
    const giveUp = end + Math.max(ms, 30_000);
    let failed = load.stats().failed;
    let quietSince = this.log.clock.now();
    while (!this.stopped) {
      await this.sleep(100);
      const now = this.log.clock.now();
      const stats = load.stats();
      if (stats.failed !== failed) {
        failed = stats.failed;
        quietSince = now;
      }
      if (now >= end && now - quietSince >= STEADY_MS) return;
      if (now >= giveUp) {
        throw new ClusterError(
          `${this.options.url.href} kept failing ${when} (${stats.failed} of ${stats.sent} requests failed); check the URL with curl first: verify needs a steady baseline`,
        );
      }
    }
  }

  private async until(done: () => boolean, ms: number, message: () => string): Promise<void> {
    const end = this.log.clock.now() + ms;
    while (!this.stopped && !done()) {
      if (this.log.clock.now() >= end) throw new ClusterError(message());
      await this.sleep(100);
    }
  }

  /** Waits, then throws the watch failure if one happened meanwhile. */
  private async sleep(ms: number): Promise<void> {
    await delay(ms);
    if (this.fatal) throw this.fatal;
  }
}
