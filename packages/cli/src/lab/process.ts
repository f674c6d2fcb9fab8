/**
 * One container's process: spawned in its own process group, signalled the way a container runtime
 * signals PID 1. Kernel rule for a PID namespace's init (pid_namespaces(7)): signals whose action
 * is the default are not delivered to it, so an app (or `sh`) without a SIGTERM handler ignores the
 * kubelet's SIGTERM and dies only at SIGKILL. Outside a container that rule does not exist, so the
 * lab applies it: it reads the process's caught-signal mask from /proc and drops SIGTERM when no
 * handler is installed. When PID 1 exits, the namespace dies: every other process gets SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

export interface ExitStatus {
  /** The container's exit code as the runtime reports it: 128 + signal number when killed. */
  readonly exitCode: number;
  readonly signal: NodeJS.Signals | undefined;
}

export type SignalOutcome =
  | { readonly delivered: true; readonly command: string }
  | { readonly delivered: false; readonly command: string; readonly reason: string };

const OUTPUT_LINES = 40;

export class ContainerProcess {
  readonly exited: Promise<ExitStatus>;
  private readonly child: ChildProcess;
  private readonly output: string[] = [];
  private exitStatus: ExitStatus | undefined;

  constructor(
    command: readonly string[],
    env: NodeJS.ProcessEnv,
    cwd: string,
    private readonly isPid1: boolean,
    onOutput?: (line: string) => void,
  ) {
    const [program, ...args] = command;
    this.child = spawn(program as string, args, {
      env,
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.length === 0) continue;
        this.output.push(line);
        if (this.output.length > OUTPUT_LINES) this.output.shift();
        onOutput?.(line);
      }
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.output.push(`cannot start ${program}: ${error.message}`);
        this.exitStatus = { exitCode: 127, signal: undefined };
        resolve(this.exitStatus);
      });
      this.child.once('exit', (code, signal) => {
        this.exitStatus = {
          exitCode: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0),
          signal: signal ?? undefined,
        };
        // PID 1 is gone: the runtime tears the namespace down and nothing it started survives.
        this.killGroup();
        resolve(this.exitStatus);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitStatus === undefined;
  }

  /** The last lines the process printed, for errors about replicas that never came up. */
  recentOutput(): string[] {
    return [...this.output];
  }

  /** SIGTERM as the kubelet sends it: to this process only, subject to PID 1's signal rule. */
  terminate(): SignalOutcome {
    const pid = this.child.pid;
    const command = pid === undefined ? '' : commandOf(pid);
    if (pid === undefined || !this.running)
      return { delivered: false, command, reason: 'the process has already exited' };
    if (this.isPid1 && !catchesSignal(pid, 'SIGTERM')) {
      return {
        delivered: false,
        command,
        reason: `PID 1 (${command}) has no SIGTERM handler, and the kernel does not deliver default-action signals to PID 1`,
      };
    }
    process.kill(pid, 'SIGTERM');
    return { delivered: true, command };
  }

  /** SIGKILL to the whole group: what the runtime does at the end of the grace period. */
  killGroup(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
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
