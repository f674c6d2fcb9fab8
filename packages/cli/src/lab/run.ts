/**
 * One rehearsal: replicas up and ready, data planes in front of them, load through the planes, the
 * scenario (rolling restarts, an eviction or a scale-in), a steady tail, then everything torn down.
 * Returns the recording the report reads.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { DataPlaneKind } from '../cluster/endpoints.js';
import { INGRESS_SYNC_INTERVAL_SECONDS, seededRandom } from '../cluster/propagation.js';
import { type LoadGenerator, type LoadModel, type LoadTarget, rehearsalLoad } from '../load/generator.js';
import type { SecondsRange } from '../model/guide-tables.js';
import {
  type ErrorClass,
  EventLog,
  monotonicClock,
  type ProgressSnapshot,
  type Recording,
  type RouteEntry,
} from '../recording/records.js';
import { attributeRequests } from '../report/attribution.js';
import { replicaLifecycles } from '../report/lifecycle.js';
import { EmulatedCluster } from './cluster.js';
import { openDataPlanes } from './planes.js';
import type { Pod } from './pod.js';
import { type Isolation, pidNamespacesAvailable } from './process.js';
import type { LabSpec } from './spec.js';

export type Scenario = 'rollout' | 'evict' | 'scale-in';

/** How long the first replicas must stay ready, with no exit, before the load starts. */
const STARTUP_SETTLE_MS = 500;

export interface LabOptions {
  readonly spec: LabSpec;
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly scenario: Scenario;
  readonly restarts: number;
  /** Load runs at least this long; longer when the scenario needs it. */
  readonly durationMs: number;
  readonly model: LoadModel;
  readonly keepAlive: boolean;
  readonly method: string;
  readonly path: string;
  readonly body?: string | undefined;
  readonly timeoutMs: number;
  readonly planes: readonly DataPlaneKind[];
  readonly propagation: SecondsRange;
  /** kube-proxy instances emulated, one per node. */
  readonly nodes: number;
  /** The ingress's upstream keep-alive idle timeout. */
  readonly upstreamKeepAliveMs: number;
  readonly seed: number;
  readonly readyTimeoutMs: number;
}

export interface LabRun {
  readonly recording: Recording;
  readonly replicas: readonly string[];
}

export class LabError extends Error {
  constructor(
    message: string,
    readonly detail: readonly string[] = [],
  ) {
    super(message);
  }
}

export class Lab {
  readonly log = new EventLog(monotonicClock());
  private cluster: EmulatedCluster | undefined;
  private load: LoadGenerator | undefined;
  /** The kube-proxy routes so far, so live progress classifies failures as the report will. */
  private routes: readonly RouteEntry[] = [];
  private readonly closers: (() => Promise<void>)[] = [];
  private phase = 'starting replicas';
  /** With shareProcessNamespace the app is not PID 1; otherwise a real PID namespace where possible. */
  readonly isolation: Isolation;
  private aborted = false;

  constructor(private readonly options: LabOptions) {
    this.isolation = options.spec.shareProcessNamespace
      ? 'none'
      : pidNamespacesAvailable()
        ? 'pid-namespace'
        : 'emulated';
  }

  progress(): ProgressSnapshot | undefined {
    if (!this.load || !this.cluster) return undefined;
    const failed = this.load.records.filter((r) => r.errorClass !== undefined);
    const byClass: Partial<Record<ErrorClass, number>> = {};
    for (const { errorClass } of attributeRequests(failed, { routes: this.routes })) {
      if (errorClass !== undefined) byClass[errorClass] = (byClass[errorClass] ?? 0) + 1;
    }
    return {
      at: this.log.clock.now(),
      load: { ...this.load.stats(), byClass },
      phase: this.phase,
      pods: this.cluster
        .livePods()
        .map((p) => ({ name: p.name, ready: p.ready, terminating: p.terminating })),
    };
  }

  /** Kills every process the lab started, synchronously: safe from an exit handler. */
  abort(): void {
    this.aborted = true;
    this.cluster?.kill();
  }

  async run(): Promise<LabRun> {
    const { options, log } = this;
    const random = seededRandom(options.seed);
    const startedAt = new Date().toISOString();
    const cluster = new EmulatedCluster(
      {
        spec: options.spec,
        command: options.command,
        cwd: options.cwd,
        baseEnv: options.env,
        log,
        isolation: this.isolation,
      },
      log,
    );
    this.cluster = cluster;
    try {
      cluster.start();
      await this.waitForReplicas(cluster);

      const planes = await openDataPlanes(cluster, log, {
        planes: options.planes,
        propagation: options.propagation,
        nodes: options.nodes,
        path: options.path,
        upstreamKeepAliveMs: options.upstreamKeepAliveMs,
        random,
      });
      this.closers.push(() => planes.close());
      this.routes = planes.routes;

      const load = rehearsalLoad(interleave(planes.targets), options, log.clock);
      this.load = load;
      const loadStart = log.clock.now();
      log.record({ type: 'load-start' });
      load.start();

      this.phase = 'baseline';
      await sleep(Math.min(2000, options.durationMs / 4));
      await this.runScenario(cluster);
      this.phase = 'steady tail';
      const settleMs = Math.max(
        2000,
        options.propagation.max * 1000 + 1000 + INGRESS_SYNC_INTERVAL_SECONDS * 1000,
      );
      const tail = Math.max(loadStart + options.durationMs - log.clock.now(), settleMs);
      await sleep(tail);
      this.phase = 'stopping';
      const records = await load.stop();
      log.record({ type: 'load-end' });
      return {
        recording: {
          startedAt,
          durationMs: log.clock.now(),
          requests: attributeRequests(records, {
            routes: planes.routes,
            replicas: replicaLifecycles(log.events),
          }),
          events: [...log.events],
          dropped: load.stats().dropped,
        },
        replicas: cluster.pods.map((p) => p.name),
      };
    } finally {
      cluster.kill();
      for (const close of this.closers) await close();
    }
  }

  private async runScenario(cluster: EmulatedCluster): Promise<void> {
    const { options } = this;
    const limit = this.scenarioTimeoutMs();
    if (options.scenario === 'rollout') {
      for (let n = 1; n <= options.restarts && !this.aborted; n++) {
        this.phase = `rollout ${n}/${options.restarts}`;
        cluster.restart();
        await this.within(cluster.settled(), limit, `rollout ${n} did not finish`);
      }
    } else if (options.scenario === 'evict') {
      this.phase = 'eviction';
      const victim = cluster.livePods().find((p) => p.ready) as Pod;
      cluster.evict(victim);
      await this.within(cluster.settled(), limit, `the replacement for ${victim.name} did not become ready`);
    } else {
      this.phase = 'scale-in';
      cluster.scale(Math.max(options.spec.replicas - 1, 0));
      await this.within(cluster.settled(), limit, 'scale-in did not finish');
    }
  }

  /** Long enough for every pod to terminate and its replacement to pass its probes. */
  private scenarioTimeoutMs(): number {
    const { spec } = this.options;
    return (spec.graceSeconds + 2) * 1000 * Math.max(spec.replicas, 1) + this.options.readyTimeoutMs;
  }

  private async within(promise: Promise<void>, ms: number, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new LabError(`${what} within ${Math.round(ms / 1000)} s`, this.podReport())),
        ms,
      );
    });
    try {
      await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every first replica ready, or a clear error naming the one that is not and what it printed. */
  private async waitForReplicas(cluster: EmulatedCluster): Promise<void> {
    const deadline = this.log.clock.now() + this.options.readyTimeoutMs;
    let stableSince: number | undefined;
    while (this.log.clock.now() < deadline) {
      if (this.aborted) throw new LabError('stopped');
      const pods = cluster.livePods();
      const crashed = pods.find((p) => p.lastExit !== undefined);
      if (crashed) {
        if (outputOf(crashed).some((line) => line.includes('EADDRINUSE'))) {
          throw new LabError(
            `replica ${crashed.name} could not listen: its port is taken; every replica must listen on the port in $PORT (the lab gives each its own)`,
            outputOf(crashed),
          );
        }
        throw new LabError(
          `replica ${crashed.name} exited with code ${crashed.lastExit?.exitCode} while starting; check the command after --`,
          outputOf(crashed),
        );
      }
      if (pods.length === this.options.spec.replicas && pods.every((p) => p.ready)) {
        // Without a readiness probe a pod is ready the moment it starts: make sure it stays up.
        if (stableSince === undefined) stableSince = this.log.clock.now();
        else if (this.log.clock.now() - stableSince >= STARTUP_SETTLE_MS) return;
      } else {
        stableSince = undefined;
      }
      await sleep(50);
    }
    const waiting = cluster.livePods().find((p) => !p.ready);
    const probe = waiting?.lastReadinessFailure;
    const refused = probe?.endsWith('ECONNREFUSED')
      ? ' (the lab probes 127.0.0.1, as the kubelet probes the pod IP: a server that listens only on ::1 or on another address cannot be reached there; listen on 0.0.0.0 or ::)'
      : '';
    throw new LabError(
      `replica ${waiting?.name ?? ''} did not become ready within ${this.options.readyTimeoutMs / 1000} s; does it listen on $PORT and pass its readiness probe?${probe ? ` Its readiness probe last failed: ${probe}${refused}` : ''}`,
      waiting ? outputOf(waiting) : [],
    );
  }

  private podReport(): string[] {
    return (this.cluster?.livePods() ?? []).map(
      (p) => `${p.name}: ${p.terminating ? 'terminating' : p.ready ? 'ready' : 'not ready'}`,
    );
  }
}

function outputOf(pod: Pod): string[] {
  const current = pod.container?.running ? pod.container.recentOutput() : [];
  const lines = current.length > 0 ? current : pod.lastOutput;
  return lines.length === 0 ? ['(it printed nothing)'] : lines.map((line) => `${pod.name}| ${line}`);
}

/** Alternates planes so that each gets the same share of requests, whatever its number of targets. */
function interleave(targets: readonly LoadTarget[]): LoadTarget[] {
  const byName = new Map<string, LoadTarget[]>();
  for (const target of targets) byName.set(target.name, [...(byName.get(target.name) ?? []), target]);
  const groups = [...byName.values()];
  const rounds = Math.max(...groups.map((g) => g.length));
  const result: LoadTarget[] = [];
  for (let i = 0; i < rounds; i++)
    for (const group of groups) result.push(group[i % group.length] as LoadTarget);
  return result;
}
