/**
 * Whether the kubelet's SIGTERM reaches the app at all. The runtime signals PID 1 of the container;
 * a shell or a package manager in that place does not forward it, so the app keeps running until
 * SIGKILL at the end of the grace period (exit code 137), with every request in flight cut.
 */
import type { JsonObject } from './json.js';

export type SigtermPath =
  | { readonly reaches: true }
  | { readonly reaches: false; readonly reason: string; readonly field: 'command' | 'args' };

const SHELL = /^(?:\/usr)?(?:\/bin\/)?(?:sh|bash|ash|dash)$/;

/** `sh -c "<script>"` (or bash, ash, dash): the shell and its script, else undefined. */
export function shellScript(argv: readonly string[]): { shell: string; script: string } | undefined {
  const [shell, flag, script] = argv;
  return shell !== undefined && SHELL.test(shell) && flag === '-c' && script !== undefined
    ? { shell, script }
    : undefined;
}
const PACKAGE_MANAGER_START = /^(?:\S*\/)?(npm|yarn|pnpm)\s+(?:run\s+)?start\b|^(?:\S*\/)?(npm|yarn|pnpm)$/;

/** Where SIGTERM goes for a container spec's command and args (the image's own entrypoint is unknown here). */
export function sigtermPath(container: JsonObject): SigtermPath {
  const command = Array.isArray(container.command) ? container.command.map(String) : [];
  const args = Array.isArray(container.args) ? container.args.map(String) : [];
  const reason = sigtermLostBecause([...command, ...args]);
  if (reason === undefined) return { reaches: true };
  return { reaches: false, reason, field: command.length > 0 ? 'command' : 'args' };
}

/**
 * Why SIGTERM would not reach the app that `argv` starts, or undefined when it does: for a
 * container's command and args, and for a Dockerfile's exec-form ENTRYPOINT or CMD alike.
 */
export function sigtermLostBecause(argv: readonly string[]): string | undefined {
  const manager = PACKAGE_MANAGER_START.exec(argv.join(' '));
  if (manager) return `${manager[1] ?? manager[2]} becomes PID 1 and does not forward SIGTERM to the app`;
  const shellRun = shellScript(argv);
  if (shellRun === undefined) return undefined;
  const { shell: program, script } = shellRun;
  // The shell is replaced only by an exec of its last command.
  const last = script
    .split(/;|&&|\|\||\n/)
    .map((part) => part.trim())
    .filter(Boolean)
    .pop();
  if (last === undefined || /^exec\s/.test(last)) return undefined;
  if (PACKAGE_MANAGER_START.test(last))
    return 'the shell runs a package manager that does not forward SIGTERM';
  if (/[;&|\n]/.test(script.trim())) return 'the shell stays PID 1 and does not forward SIGTERM to the app';
  // bash execs a lone simple command; dash (sh on Debian and Ubuntu, 0.5.12 tested by the lab's
  // fidelity tests) does not, so `sh -c "node server.js"` keeps sh as PID 1.
  if (/bash$/.test(program)) return undefined;
  return `${program} is dash on Debian and Ubuntu images, which does not exec even a lone command: the shell stays PID 1 and does not forward SIGTERM to the app`;
}
