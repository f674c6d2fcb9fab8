/**
 * What a container's preStop hook is, and how long the kubelet spends in it.
 */

import { flagValue } from './argv.js';
import { parseDurationSeconds } from './duration.js';
import { DEFAULT_GRACE_SECONDS } from './grace.js';
import { SHELL_OR_SLEEP, shellLessImage } from './images.js';
import { getIn, getNumber, getObject, isObject, type JsonObject } from './json.js';
import { enabledByDefault, FEATURES, featureStage, type KubeVersion } from './kube-version.js';

export type PreStopHook =
  | { readonly kind: 'none' }
  /** lifecycle.preStop.sleep: run by the kubelet itself (KEP-3960). */
  | { readonly kind: 'sleep'; readonly seconds: number }
  /** lifecycle.preStop.exec running a lone `sleep N`, directly or through a shell. */
  | { readonly kind: 'exec-sleep'; readonly seconds: number; readonly command: readonly string[] }
  /**
   * Any other exec; `wait` when it is a known command that keeps the app serving for a set time
   * before stopping it (`kong quit --wait=15`, NGINX Gateway Fabric's `gateway sleep --duration=10s`).
   */
  | { readonly kind: 'exec'; readonly command: readonly string[]; readonly wait?: ExecWait }
  | {
      readonly kind: 'httpGet';
      readonly port: string | number | undefined;
      readonly path: string | undefined;
    }
  | { readonly kind: 'tcpSocket' }
  | { readonly kind: 'invalid'; readonly reason: string };

/** How long the hook delays SIGTERM when it is a plain sleep or a known wait (0 without a hook); otherwise unknown. */
export function preStopSleepSeconds(hook: PreStopHook): number | undefined {
  if (hook.kind === 'none') return 0;
  if (hook.kind === 'sleep' || hook.kind === 'exec-sleep') return hook.seconds;
  if (hook.kind === 'exec') return hook.wait?.seconds;
  return undefined;
}

export interface ExecWait {
  readonly seconds: number;
  /** The option that sets it, as a reader would change it. */
  readonly option: string;
}

/**
 * Commands that keep the app serving for a set time and then stop it themselves: Kong's `kong quit
 * --wait=N` ("the number of seconds to wait before starting the graceful shutdown", then a quit
 * bounded by --timeout, 10 s by default), NGINX Gateway Fabric's `gateway sleep --duration=<Go
 * duration>`, Contour's shutdown manager `contour envoy shutdown --drain-delay=<Go duration>`. A
 * shell running one of them alone counts too.
 */
export function execWait(command: readonly string[]): ExecWait | undefined {
  const [program = '', ...args] = command;
  if (SHELLS.test(program) && args.length === 2 && args[0] === '-c')
    return execWait(
      (args[1] as string)
        .trim()
        .replace(/^exec\s+/, '')
        .split(/\s+/),
    );
  const name = program.split('/').pop();
  const option = (flag: string) => flagValue(args, flag);
  if (name === 'kong' && args[0] === 'quit') {
    const seconds = Number(option('--wait') ?? '0');
    return Number.isFinite(seconds) ? { seconds, option: 'kong quit --wait' } : undefined;
  }
  if (name === 'contour' && args[0] === 'envoy' && args[1] === 'shutdown') {
    // Fails Envoy's health check at once, then waits --drain-delay (0 by default) and for open
    // connections to end: new ones arrive as long as routing has not caught up.
    const written = option('--drain-delay');
    const seconds = written === undefined ? 0 : parseDurationSeconds(written);
    return seconds === undefined ? undefined : { seconds, option: 'contour envoy shutdown --drain-delay' };
  }
  if (name === 'gateway' && args[0] === 'sleep') {
    const written = option('--duration');
    const seconds = written === undefined ? undefined : parseDurationSeconds(written);
    return seconds === undefined ? undefined : { seconds, option: 'gateway sleep --duration' };
  }
  return undefined;
}

const SHELLS = /^(?:\/usr)?(?:\/bin\/)?(?:sh|bash|ash|dash|zsh)$/;
const SLEEP_BINARY = /^(?:\/usr)?(?:\/bin\/)?sleep$/;
/** GNU and busybox sleep both take a number with an optional s/m/h/d suffix. */
const SLEEP_ARGUMENT = /^(\d+(?:\.\d+)?)([smhd]?)$/;
const SLEEP_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

function sleepArgumentSeconds(argument: string): number | undefined {
  const match = SLEEP_ARGUMENT.exec(argument);
  if (!match) return undefined;
  return Number(match[1]) * (SLEEP_UNITS[match[2] ?? ''] ?? 1);
}

/** Seconds slept by `command` when it does nothing but sleep, else undefined. */
export function execSleepSeconds(command: readonly string[]): number | undefined {
  const [program, ...args] = command;
  if (program === undefined) return undefined;
  if (SLEEP_BINARY.test(program) && args.length === 1) return sleepArgumentSeconds(args[0] as string);
  if (SHELLS.test(program) && args.length === 2 && args[0] === '-c') {
    const words = (args[1] as string).trim().replace(/;$/, '').trim().split(/\s+/);
    if (words[0] === 'exec') words.shift();
    if (words.length === 2 && SLEEP_BINARY.test(words[0] as string)) {
      return sleepArgumentSeconds(words[1] as string);
    }
  }
  return undefined;
}

const HANDLER_KINDS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;

export function classifyPreStop(container: JsonObject): PreStopHook {
  const hook = getObject(container, ['lifecycle', 'preStop']);
  if (!hook) return { kind: 'none' };
  const present = HANDLER_KINDS.filter((kind) => hook[kind] !== undefined && hook[kind] !== null);
  if (present.length !== 1) {
    return {
      kind: 'invalid',
      reason:
        present.length === 0
          ? 'preStop names no handler (exec, httpGet or sleep); the API server rejects it'
          : `preStop names ${present.join(' and ')}; the API server accepts exactly one handler`,
    };
  }
  const handler = hook[present[0] as string];
  switch (present[0]) {
    case 'sleep': {
      const seconds = isObject(handler) ? handler.seconds : undefined;
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
        return { kind: 'invalid', reason: 'preStop.sleep.seconds must be a non-negative whole number' };
      }
      return { kind: 'sleep', seconds };
    }
    case 'exec': {
      const raw = isObject(handler) ? handler.command : undefined;
      const command = Array.isArray(raw) ? raw.map(String) : [];
      if (command.length === 0) return { kind: 'invalid', reason: 'preStop.exec.command is empty' };
      const seconds = execSleepSeconds(command);
      if (seconds !== undefined) return { kind: 'exec-sleep', seconds, command };
      const wait = execWait(command);
      return { kind: 'exec', command, ...(wait && { wait }) };
    }
    case 'httpGet': {
      const port = isObject(handler) ? handler.port : undefined;
      const path = isObject(handler) ? handler.path : undefined;
      return {
        kind: 'httpGet',
        port: typeof port === 'string' || typeof port === 'number' ? port : undefined,
        path: typeof path === 'string' ? path : undefined,
      };
    }
    default:
      return { kind: 'tcpSocket' };
  }
}

/** How the hook behaves on the target version, in the kubelet's terms. */
export interface PreStopEffect {
  /** Seconds the kubelet waits in the hook before it signals; undefined when only the app knows. */
  readonly seconds: number | undefined;
  /** Set when the hook does not run as written on this version. */
  readonly outcome: 'runs' | 'rejected' | 'ignored' | 'fails';
  readonly note?: string;
}

/** What the API server's validation and the runtime need to know of the pod besides the hook. */
export interface HookPod {
  readonly image?: string | undefined;
  /** terminationGracePeriodSeconds as written (the API server defaults it to 30 before validating). */
  readonly specGraceSeconds?: number | undefined;
}

export function preStopEffect(hook: PreStopHook, version: KubeVersion, pod: HookPod = {}): PreStopEffect {
  const image = pod.image ?? '';
  // An exec of a shell or sleep in an image that has neither fails at once (FailedPreStopHook).
  if ((hook.kind === 'exec' || hook.kind === 'exec-sleep') && shellLessImage(image)) {
    const program = hook.command[0] ?? '';
    if (SHELL_OR_SLEEP.test(program)) {
      return {
        seconds: 0,
        outcome: 'fails',
        note: `the exec hook runs ${program}, which ${image} does not contain: it fails (FailedPreStopHook) and SIGTERM follows at once`,
      };
    }
  }
  switch (hook.kind) {
    case 'none':
      return { seconds: 0, outcome: 'runs' };
    case 'invalid':
      return { seconds: undefined, outcome: 'rejected', note: hook.reason };
    case 'tcpSocket':
      return {
        seconds: 0,
        outcome: 'fails',
        note: 'tcpSocket is not supported as a lifecycle handler: the hook fails at runtime (FailedPreStopHook) and SIGTERM follows at once',
      };
    case 'sleep':
      return sleepEffect(hook.seconds, version, pod.specGraceSeconds ?? DEFAULT_GRACE_SECONDS);
    case 'exec-sleep':
      return { seconds: hook.seconds, outcome: 'runs' };
    case 'exec':
      return { seconds: hook.wait?.seconds, outcome: 'runs' };
    case 'httpGet':
      return { seconds: undefined, outcome: 'runs' };
  }
}

function sleepEffect(seconds: number, version: KubeVersion, graceSeconds: number): PreStopEffect {
  const stage = featureStage(FEATURES.sleepAction, version);
  // pkg/apis/core/validation validateSleepAction: seconds > terminationGracePeriodSeconds is refused
  // ("must be non-negative and less than terminationGracePeriodSeconds (N)"), seen on a real 1.34.
  if (stage !== 'unavailable' && seconds > graceSeconds) {
    return {
      seconds: undefined,
      outcome: 'rejected',
      note: `the API server rejects a preStop sleep of ${seconds}s longer than terminationGracePeriodSeconds (${graceSeconds}s) (validateSleepAction); shorten the sleep or raise the grace period`,
    };
  }
  if (stage === 'unavailable') {
    return {
      seconds: undefined,
      outcome: 'rejected',
      note: `the API server rejects preStop.sleep before Kubernetes ${FEATURES.sleepAction.alpha} (${FEATURES.sleepAction.source}); use exec with sleep`,
    };
  }
  if (stage === 'alpha') {
    return {
      seconds: 0,
      outcome: 'ignored',
      note: `${FEATURES.sleepAction.name} is alpha and off in ${version.major}.${version.minor}: the kubelet skips the sleep and sends SIGTERM at once`,
    };
  }
  if (seconds === 0 && !enabledByDefault(FEATURES.sleepActionAllowZero, version)) {
    return {
      seconds: undefined,
      outcome: 'rejected',
      note: `preStop.sleep.seconds: 0 needs Kubernetes ${FEATURES.sleepActionAllowZero.beta} (${FEATURES.sleepActionAllowZero.source}); earlier API servers reject it`,
    };
  }
  return { seconds, outcome: 'runs' };
}

/** The preStop handler to write for a sleep of `seconds` on the target version. */
export function sleepHandler(seconds: number, version: KubeVersion): JsonObject {
  return enabledByDefault(FEATURES.sleepAction, version)
    ? { sleep: { seconds } }
    : { exec: { command: ['/bin/sh', '-c', `sleep ${seconds}`] } };
}

export function describeHandler(handler: JsonObject): string {
  const seconds = getNumber(handler, ['sleep', 'seconds']);
  if (seconds !== undefined) return `sleep ${seconds}s (native)`;
  const command = getIn(handler, ['exec', 'command']);
  return `exec ${JSON.stringify(command)}`;
}

export function describeHook(hook: PreStopHook): string {
  switch (hook.kind) {
    case 'none':
      return 'none';
    case 'sleep':
      return `sleep ${hook.seconds}s (native)`;
    case 'exec-sleep':
    case 'exec':
      return `exec ${JSON.stringify(hook.command)}`;
    case 'httpGet':
      return `httpGet ${hook.path ?? '/'} on port ${hook.port ?? '?'}`;
    case 'tcpSocket':
      return 'tcpSocket';
    case 'invalid':
      return 'invalid';
  }
}
