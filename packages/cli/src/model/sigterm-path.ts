/**
 * Whether the kubelet's SIGTERM reaches the app at all. The runtime signals PID 1 of the container;
 * a shell or a package manager in that place does not forward it, so the app keeps running until
 * SIGKILL at the end of the grace period (exit code 137), with every request in flight cut.
 */
import type { JsonObject } from './json.js';
import {
  execsLastCommand,
  imageParts,
  imageShell,
  PIPELINE,
  scriptCommands,
  shellOf,
  withoutQuotes,
} from './shells.js';

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
const INSTANT_BUILTIN = /^(?:echo|printf|true|false|:|exit|set|export|unset|cd|test|\[)(?:\s|$)/;
const PACKAGE_MANAGER_START = /^(?:\S*\/)?(npm|yarn|pnpm)\s+(?:run\s+)?start\b|^(?:\S*\/)?(npm|yarn|pnpm)$/;

/**
 * Whether `npm start` as PID 1 passes SIGTERM on to the app: npm 7 and later forward it to the
 * script's shell (measured with npm 11), and the app gets it only where that shell execs it
 * (busybox on Alpine, bash); dash, Debian's /bin/sh, takes it and the app is SIGKILLed. The
 * official node images of Node 14 and older ship npm 6.
 */
export function npmReachesApp(image: string | undefined): boolean {
  const shell = imageShell(image);
  if (shell === undefined || shell === 'dash') return false;
  const { name, tag } = imageParts(image ?? '');
  const major = name === 'node' ? /^(\d+)/.exec(tag)?.[1] : undefined;
  return major === undefined || Number(major) >= 16;
}

/** Where SIGTERM goes for a container spec's command and args (the image's own entrypoint is unknown here). */
export function sigtermPath(container: JsonObject): SigtermPath {
  const command = Array.isArray(container.command) ? container.command.map(String) : [];
  const args = Array.isArray(container.args) ? container.args.map(String) : [];
  const image = typeof container.image === 'string' ? container.image : undefined;
  const reason = sigtermLostBecause([...command, ...args], image);
  if (reason === undefined) return { reaches: true };
  return { reaches: false, reason, field: command.length > 0 ? 'command' : 'args' };
}

/**
 * Why SIGTERM would not reach the app that `argv` starts, or undefined when it does: for a
 * container's command and args, and for a Dockerfile's ENTRYPOINT or CMD alike. `image` is the
 * container's image or the Dockerfile's base, which says which shell `sh` is (model/shells.ts).
 */
export function sigtermLostBecause(argv: readonly string[], image?: string): string | undefined {
  const manager = PACKAGE_MANAGER_START.exec(argv.join(' '));
  if (manager) {
    const name = manager[1] ?? manager[2];
    return name === 'npm' && npmReachesApp(image)
      ? undefined
      : `${name} becomes PID 1 and does not forward SIGTERM to the app`;
  }
  const shellRun = shellScript(argv);
  if (shellRun === undefined) return undefined;
  const { shell: program, script } = shellRun;
  const commands = scriptCommands(script);
  // A script of builtins that return at once (a hook Job's `echo done`) starts nothing that could be cut.
  if (commands.every((command) => INSTANT_BUILTIN.test(command))) return undefined;
  const last = commands.pop();
  if (last === undefined || /^exec\s/.test(last)) return undefined;
  const lastManager = PACKAGE_MANAGER_START.exec(last);
  if (lastManager && !((lastManager[1] ?? lastManager[2]) === 'npm' && npmReachesApp(image)))
    return 'the shell runs a package manager that does not forward SIGTERM';
  if (PIPELINE.test(withoutQuotes(script)))
    return 'a pipeline keeps the shell as PID 1, and it does not forward SIGTERM to the app';
  const shell = shellOf(program, image);
  if (shell === undefined)
    return `unless ${program} is busybox (Alpine) or bash, which exec the last command, it is dash (Debian, Ubuntu), which does not: the shell stays PID 1 and does not forward SIGTERM to the app`;
  if (execsLastCommand(shell, script)) return undefined;
  return shell === 'dash'
    ? `${program} is dash${image ? ` in ${image}` : ''}, which does not exec even the last command: the shell stays PID 1 and does not forward SIGTERM to the app`
    : `${program} does not exec a last command inside if, for or case, with a redirection, or after a trap: the shell stays PID 1 and does not forward SIGTERM to the app`;
}
