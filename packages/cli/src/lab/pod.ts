/**
 * One pod as the kubelet runs it: the container process, its probes, restarts, and the termination
 * sequence (preStop with the grace period counting from its start, SIGTERM, SIGKILL at the end).
 * The arithmetic is the model's (stopWindowSeconds); this module only supplies real time and processes.
 */
import { initialProbeState, observeProbe, type ProbeKind, type ProbeState } from '../cluster/probe-state.js';
import type { PodView } from '../cluster/rollout.js';
import { stopWindowSeconds } from '../model/budget.js';
import { describeHook } from '../model/prestop.js';
import type { EventLog } from '../recording/records.js';
import {
  describeTarget,
  execCommand,
  type HandlerContext,
  type HandlerResult,
  httpGet,
  runHandler,
} from './handlers.js';
import { CONTAINER_MARKER, ContainerProcess, containerMarker, type Isolation } from './process.js';
import type { LabSpec, ProbeSpec } from './spec.js';

export interface PodContext {
  readonly spec: LabSpec;
  readonly command: readonly string[];
  readonly cwd: string;
  readonly baseEnv: NodeJS.ProcessEnv;
  readonly log: EventLog;
  /** How PID 1 semantics are obtained ('none' with shareProcessNamespace: the app is not PID 1). */
  readonly isolation: Isolation;
  /** Called whenever readiness, termination or existence changes. */
  readonly onChange: (pod: Pod) => void;
  readonly onOutput?: (pod: Pod, line: string) => void;
}

/** The kubelet's crash-loop back-off: 10 s doubling to 5 min; the first restart is immediate. */
function restartDelaySeconds(restarts: number): number {
  return restarts === 0 ? 0 : Math.min(10 * 2 ** (restarts - 1), 300);
}

export class Pod {
  readonly createdAt: number;
  readonly host = '127.0.0.1';
  ready = false;
  readySince: number | undefined;
  terminating = false;
  deleted = false;
  restarts = 0;
  container: ContainerProcess | undefined;
  lastExit: { exitCode: number; signal: string | undefined } | undefined;
  /** What the last container to exit printed last: the restart has a fresh, empty buffer. */
  lastOutput: string[] = [];
  private started = false;
  private probeStates = new Map<ProbeKind, ProbeState>();
  /** The readiness probe's last failure, with where it went: for "did not become ready". */
  lastReadinessFailure: string | undefined;
  private timers = new Set<NodeJS.Timeout>();
  private stopping: Promise<void> | undefined;
  private generation = 0;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly name: string,
    readonly revision: number,
    /** containerPort (and name) to the port this replica really listens on. */
    readonly ports: ReadonlyMap<number | string, number>,
    private readonly context: PodContext,
  ) {
    this.createdAt = context.log.clock.now();
    this.env = podEnv(name, ports, context);
  }

  /** The port that carries traffic. */
  get port(): number {
    return this.ports.get(this.context.spec.ports[0]?.port ?? 0) as number;
  }

  view(): PodView {
    return {
      name: this.name,
      revision: this.revision,
      ready: this.ready,
      readySince: this.readySince === undefined ? undefined : this.readySince / 1000,
      terminating: this.terminating,
      createdAt: this.createdAt / 1000,
    };
  }

  start(): void {
    this.context.log.record({ type: 'pod-created', pod: this.name });
    this.startContainer();
  }

  /** Pod deletion: terminating at once, then the container's stop sequence with the pod's grace period. */
  delete(): Promise<void> {
    if (this.terminating) return this.stopping ?? Promise.resolve();
    this.terminating = true;
    this.context.log.record({
      type: 'terminating',
      pod: this.name,
      detail: `grace period ${this.context.spec.graceSeconds} s`,
    });
    this.context.onChange(this);
    this.stopping = this.stopContainer(this.context.spec.graceSeconds).then(() => {
      this.clearTimers();
      this.deleted = true;
      this.setReady(false);
      this.context.log.record({ type: 'pod-deleted', pod: this.name });
      this.context.onChange(this);
    });
    return this.stopping;
  }

  /** Ends everything at once, with no restart: the lab is shutting down. */
  kill(): void {
    this.generation++;
    this.clearTimers();
    this.container?.killGroup();
  }

  private startContainer(): void {
    const generation = ++this.generation;
    const { spec, command, cwd } = this.context;
    const container = new ContainerProcess(command, this.env, cwd, this.context.isolation, (line) =>
      this.context.onOutput?.(this, line),
    );
    this.container = container;
    this.started = spec.probes.startup === undefined;
    this.probeStates = new Map(
      (['readiness', 'liveness', 'startup'] as const).map((k) => [k, initialProbeState(k)]),
    );
    this.context.log.record({ type: 'container-started', pod: this.name, detail: `pid ${container.pid}` });
    if (!spec.probes.readiness && this.started) this.setReady(true);
    for (const probe of Object.values(spec.probes))
      this.scheduleProbe(probe, probe.initialDelaySeconds * 1000, generation);
    void container.exited.then((status) => {
      this.lastExit = { exitCode: status.exitCode, signal: status.signal };
      this.lastOutput = container.recentOutput();
      this.context.log.record({
        type: 'exit',
        pod: this.name,
        exitCode: status.exitCode,
        ...(status.signal ? { signal: status.signal } : {}),
      });
      this.setReady(false);
      if (this.terminating || generation !== this.generation) return;
      // restartPolicy Always: the kubelet starts the container again after its back-off.
      const delay = restartDelaySeconds(this.restarts++);
      this.later(delay * 1000, () => {
        if (this.terminating) return;
        this.context.log.record({
          type: 'container-restart',
          pod: this.name,
          detail: `restart ${this.restarts}`,
        });
        this.startContainer();
      });
    });
  }

  private scheduleProbe(probe: ProbeSpec, delayMs: number, generation: number): void {
    this.later(delayMs, async () => {
      if (generation !== this.generation || !this.container?.running) return;
      const due = probe.kind === 'startup' ? !this.started : this.started;
      if (due && !(probe.kind !== 'readiness' && this.terminating)) {
        const result = await runHandler(probe.handler, this.handlerContext(), probe.timeoutSeconds * 1000);
        if (generation !== this.generation || !this.container?.running) return;
        this.observe(probe, result);
      }
      if (probe.kind === 'startup' && this.started) return;
      this.scheduleProbe(probe, probe.periodSeconds * 1000, generation);
    });
  }

  private observe(probe: ProbeSpec, result: HandlerResult): void {
    const state = observeProbe(
      this.probeStates.get(probe.kind) ?? initialProbeState(probe.kind),
      result.ok,
      probe,
    );
    this.probeStates.set(probe.kind, state);
    const passing = state.result === 'success';
    if (probe.kind === 'startup' && passing) {
      this.started = true;
      if (!this.context.spec.probes.readiness) this.setReady(true);
    } else if (probe.kind === 'readiness') {
      if (!result.ok) {
        this.lastReadinessFailure = `${describeTarget(probe.handler, this.handlerContext())}: ${result.reason}`;
      }
      this.setReady(passing, result.ok ? undefined : result.reason);
    } else if (probe.kind === 'liveness' && !passing && !this.terminating) {
      this.context.log.record({
        type: 'liveness-failed',
        pod: this.name,
        detail: result.ok ? 'liveness failed' : result.reason,
      });
      this.probeStates.set('liveness', initialProbeState('liveness'));
      void this.stopContainer(this.context.spec.graceSeconds);
    }
  }

  private setReady(ready: boolean, reason?: string): void {
    if (this.ready === ready) return;
    this.ready = ready;
    this.readySince = ready ? this.context.log.clock.now() : undefined;
    this.context.log.record({
      type: ready ? 'ready' : 'not-ready',
      pod: this.name,
      ...(reason ? { detail: reason } : {}),
    });
    this.context.onChange(this);
  }

  /** kuberuntime killContainer: preStop within the grace period, then SIGTERM, then SIGKILL. */
  private async stopContainer(graceSeconds: number): Promise<void> {
    const container = this.container;
    if (!container?.running) return;
    const { log, spec } = this.context;
    const clock = log.clock;
    const hookStart = clock.now();
    if (spec.preStop.kind !== 'none') {
      log.record({ type: 'prestop-start', pod: this.name, detail: describeHook(spec.preStop) });
      const result = await this.runPreStop(graceSeconds * 1000);
      log.record({ type: 'prestop-end', pod: this.name, ...(result.ok ? {} : { detail: result.reason }) });
      if (!result.ok) log.record({ type: 'failed-prestop-hook', pod: this.name, detail: result.reason });
    }
    if (!container.running) return;
    const windowSeconds = stopWindowSeconds(graceSeconds, (clock.now() - hookStart) / 1000);
    const outcome = container.terminate();
    if (outcome.delivered) log.record({ type: 'sigterm', pod: this.name, detail: outcome.command });
    else log.record({ type: 'sigterm-ignored', pod: this.name, detail: outcome.reason });
    const killer = setTimeout(() => {
      if (!container.running) return;
      log.record({
        type: 'sigkill',
        pod: this.name,
        detail: `grace period over, ${windowSeconds} s after SIGTERM`,
      });
      container.killGroup();
    }, windowSeconds * 1000);
    await container.exited;
    clearTimeout(killer);
  }

  private runPreStop(timeoutMs: number): Promise<HandlerResult> {
    const hook = this.context.spec.preStop;
    // The model knows the image lacks the hook's program (a shell-less image): the runtime fails it.
    if (this.context.spec.preStopFailure) {
      return Promise.resolve({ ok: false, reason: this.context.spec.preStopFailure });
    }
    switch (hook.kind) {
      case 'sleep':
        return this.sleepAtLeast(Math.min(hook.seconds * 1000, timeoutMs)).then(() => ({ ok: true }));
      case 'exec':
      case 'exec-sleep':
        return execCommand(hook.command, this.handlerContext(), timeoutMs);
      case 'httpGet': {
        const port = this.handlerContext().port(hook.port ?? this.context.spec.ports[0]?.port ?? 0);
        return httpGet(hook.path ?? '/', port, false, this.host, timeoutMs);
      }
      case 'tcpSocket':
        return Promise.resolve({ ok: false, reason: 'tcpSocket is not supported as a lifecycle handler' });
      default:
        return Promise.resolve({ ok: true });
    }
  }

  private handlerContext(): HandlerContext {
    return {
      host: this.host,
      port: (ref) => this.ports.get(ref),
      env: this.env,
      cwd: this.context.cwd,
    };
  }

  /**
   * Node's timers may fire a fraction of a millisecond early by the monotonic clock, and the kubelet
   * truncates the seconds a hook took: a 6 s sleep measured as 5.9998 s would leave 1 s too much.
   */
  private async sleepAtLeast(ms: number): Promise<void> {
    const clock = this.context.log.clock;
    const until = clock.now() + ms;
    while (clock.now() < until) {
      await new Promise<void>((resolve) => this.later(Math.max(1, until - clock.now()), resolve));
    }
  }

  private later(ms: number, run: () => void | Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, ms);
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/**
 * The replica's environment: the lab's own, then the manifest's literal env (a value equal to a
 * containerPort becomes that replica's port, so `SERVER_PORT: "8080"` works), then POD_NAME and
 * HOSTNAME (the pod name, as Kubernetes sets it), PORT for the traffic port and PORT_<NAME> for
 * named ports, and the marker that finds every process of the pod when it ends.
 */
function podEnv(
  name: string,
  ports: ReadonlyMap<number | string, number>,
  context: PodContext,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...context.baseEnv };
  for (const [key, value] of Object.entries(context.spec.env)) {
    const mapped = /^\d+$/.test(value) ? ports.get(Number(value)) : undefined;
    env[key] = mapped === undefined ? value.replaceAll('$(POD_NAME)', name) : String(mapped);
  }
  env.POD_NAME = name;
  env.HOSTNAME = name;
  env[CONTAINER_MARKER] = containerMarker(name);
  const [first] = context.spec.ports;
  if (first) env.PORT = String(ports.get(first.port));
  for (const port of context.spec.ports) {
    if (port.name)
      env[`PORT_${port.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = String(ports.get(port.port));
  }
  return env;
}
