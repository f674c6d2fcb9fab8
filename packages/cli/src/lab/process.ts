/**
 * One container's process, signalled the way a container runtime signals PID 1.
 *
 * The kernel protects a PID namespace's init (pid_namespaces(7)): only signals it has a handler for
 * are delivered, so an app without a SIGTERM handler (or a `sh -c` wrapper, or Node itself, whose
 * built-in handler re-raises the signal with the default action) keeps running until SIGKILL. When
 * PID 1 exits, everything else in the namespace is killed.
 *
 * Where unprivileged user namespaces are available (Linux), the lab reproduces this for real: the
 * replica runs as PID 1 of its own PID namespace (`unshare --user --map-root-user --pid --fork`),
 * sharing the host network. Elsewhere it emulates the rule: it reads the caught-signal mask from /proc
 * and drops SIGTERM when no handler is installed (Node's built-in handler makes Node look handled).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

export interface ExitStatus {
  /** The container's exit code as the runtime reports it: 128 + signal number when killed. */
  readonly exitCode: number;
  readonly signal: NodeJS.Signals | undefined;
}

export type SignalOutcome =
  | { readonly delivered: true; readonly command: string }
  | { readonly delivered: false; readonly command: string; readonly reason: string };

/** How the replica's PID 1 semantics are obtained. */
export type Isolation = 'pid-namespace' | 'emulated' | 'none';

const OUTPUT_LINES = 40;
/** How long after a replica's exit its output may still arrive before the exit counts anyway. */
const OUTPUT_DRAIN_MS = 500;
const UNSHARE = ['unshare', '--user', '--map-root-user', '--pid', '--fork', '--kill-child', '--'];
/**
 * The kernel SIGKILLs the replica when the lab dies, even by SIGKILL (PR_SET_PDEATHSIG, kept across
 * the exec into unshare or the app); unshare's --kill-child passes it on to PID 1, whose death ends
 * its whole PID namespace.
 */
const DIE_WITH_LAB = ['setpriv', '--pdeathsig', 'KILL', '--'];

/**
 * Names every process of one container in the environment they all inherit, exec probes and hooks
 * included: one that left the process group (setsid) and was reparented is still found by it, and
 * killed with the container, as the end of a real PID namespace kills it.
 */
export const CONTAINER_MARKER = 'LAMEDUCK_CONTAINER';

let markers = 0;

/** A new marker for one pod: unique on the machine, across labs and across runs in one process. */
export function containerMarker(pod: string): string {
  markers += 1;
  return `${process.pid}/${markers}/${pod}`;
}

/** The command run so that the kernel ends it when the lab ends, even by SIGKILL (where it can). */
export function dyingWithLab(command: readonly string[]): string[] {
  return [...(deathSignalAvailable() ? DIE_WITH_LAB : []), ...command];
}

/** SIGKILLs every process whose environment carries the marker. Linux only: elsewhere none is found. */
export function killMarked(marker: string, procRoot = '/proc'): void {
  const entry = Buffer.from(`${CONTAINER_MARKER}=${marker}\0`);
  let pids: string[];
  try {
    pids = readdirSync(procRoot).filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      const environ = readFileSync(`${procRoot}/${pid}/environ`);
      const at = environ.indexOf(entry);
      if (at === 0 || (at > 0 && environ[at - 1] === 0)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Gone, or not ours to read.
    }
  }
}

let namespaceSupport: boolean | undefined;
let deathSignalSupport: boolean | undefined;

/** Whether util-linux's setpriv can set the parent-death signal here. */
function deathSignalAvailable(): boolean {
  if (deathSignalSupport === undefined) {
    const probe =
      process.platform === 'linux'
        ? spawnSync(DIE_WITH_LAB[0] as string, [...DIE_WITH_LAB.slice(1), 'true'], {
            stdio: 'ignore',
            timeout: 5000,
          })
        : undefined;
    deathSignalSupport = probe?.status === 0;
  }
  return deathSignalSupport;
}

/** Whether this machine lets an unprivileged process create a user and PID namespace. */
export function pidNamespacesAvailable(): boolean {
  if (namespaceSupport === undefined) {
    const probe =
      process.platform === 'linux'
        ? spawnSync(UNSHARE[0] as string, [...UNSHARE.slice(1), 'true'], { stdio: 'ignore', timeout: 5000 })
        : undefined;
    namespaceSupport = probe?.status === 0;
  }
  return namespaceSupport;
}

export class ContainerProcess {
  readonly exited: Promise<ExitStatus>;
  private readonly child: ChildProcess;
  private readonly output: string[] = [];
  private exitStatus: ExitStatus | undefined;
  private killed = false;
  private processExited = false;
  private readonly marker: string | undefined;

  constructor(
    command: readonly string[],
    env: NodeJS.ProcessEnv,
    cwd: string,
    readonly isolation: Isolation,
    onOutput?: (line: string) => void,
  ) {
    const [program, ...args] = dyingWithLab([...(isolation === 'pid-namespace' ? UNSHARE : []), ...command]);
    this.marker = env[CONTAINER_MARKER];
    this.child = spawn(program as string, args, {
      env,
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      for (const raw of chunk.toString('utf8').split('\n')) {
        if (raw.length === 0) continue;
        // The wrappers' own words for a command that is not there, as the runtime would put it.
        const line = raw.replace(
          /^(?:setpriv|unshare): failed to execute (.*?): (.*)$/,
          'cannot start $1: $2',
        );
        this.output.push(line);
        if (this.output.length > OUTPUT_LINES) this.output.shift();
        onOutput?.(line);
      }
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.output.push(`cannot start ${command[0]}: ${error.message}`);
        this.exitStatus = { exitCode: 127, signal: undefined };
        resolve(this.exitStatus);
      });
      const settle = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exitStatus !== undefined) return;
        // unshare passes the app's exit code on; only SIGKILL can end a PID 1 by signal.
        const bySignal = signal ?? (this.killed ? 'SIGKILL' : undefined);
        this.exitStatus = bySignal
          ? { exitCode: 128 + (constants.signals[bySignal] ?? 0), signal: bySignal }
          : { exitCode: code ?? 0, signal: undefined };
        resolve(this.exitStatus);
      };
      // PID 1 is gone: nothing it started survives (the kernel does this in a real namespace).
      this.child.once('exit', (code, signal) => {
        this.processExited = true;
        this.killGroup();
        // 'close' waits for the pipes, which a grandchild that escaped the group (setsid) may hold
        // open forever: the exit settles it after a moment for the last lines to arrive.
        setTimeout(() => settle(code, signal), OUTPUT_DRAIN_MS).unref();
      });
      // 'close' comes after the output is read to the end: the last lines explain a crash.
      this.child.once('close', settle);
    });
  }

  /** The app's own PID as the host sees it: unshare's child in a namespace. */
  get pid(): number | undefined {
    const pid = this.child.pid;
    if (pid === undefined || this.isolation !== 'pid-namespace') return pid;
    try {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
      return children[0] ? Number(children[0]) : undefined;
    } catch {
      return undefined;
    }
  }

  get running(): boolean {
    return !this.processExited && this.exitStatus === undefined;
  }

  /** The last lines the process printed, for errors about replicas that never came up. */
  recentOutput(): string[] {
    return [...this.output];
  }

  /** SIGTERM as the kubelet sends it: to PID 1 only, subject to the kernel's rule for PID 1. */
  terminate(): SignalOutcome {
    const pid = this.pid;
    const command = pid === undefined ? '' : commandOf(pid);
    if (pid === undefined || !this.running)
      return { delivered: false, command, reason: 'the process has already exited' };
    if (this.isolation !== 'none' && !catchesSignal(pid, 'SIGTERM')) {
      if (this.isolation === 'pid-namespace') process.kill(pid, 'SIGTERM');
      return {
        delivered: false,
        command,
        reason: `PID 1 (${command}) has no SIGTERM handler, and the kernel does not deliver default-action signals to PID 1`,
      };
    }
    process.kill(pid, 'SIGTERM');
    return { delivered: true, command };
  }

  /**
   * SIGKILL to every process of the container, those that left its group included: what the runtime
   * does at the end of the grace period, and what the end of PID 1 does to the rest.
   */
  killGroup(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (this.running) this.killed = true;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
    if (this.marker !== undefined) killMarked(this.marker);
  }
}

/** Whether the process has a handler for `signal` (SigCgt in /proc/<pid>/status). Off Linux: assume yes. */
export function catchesSignal(pid: number, signal: NodeJS.Signals, procRoot = '/proc'): boolean {
  let status: string;
  try {
    status = readFileSync(`${procRoot}/${pid}/status`, 'utf8');
  } catch {
    return true;
  }
  const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  const number = constants.signals[signal];
  if (mask === undefined || number === undefined) return true;
  return ((BigInt(`0x${mask}`) >> BigInt(number - 1)) & 1n) === 1n;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return `pid ${pid}`;
  }
}
