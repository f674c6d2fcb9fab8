/**
 * gunicorn's shutdown and keep-alive settings as a command line gives them: a Dockerfile's
 * CMD/ENTRYPOINT, a container's command/args, and GUNICORN_CMD_ARGS, which takes the same flags and
 * which the command line overrides (docs.gunicorn.org/en/stable/settings.html).
 */
import { commandWords, flagValue } from './argv.js';

/** gunicorn's defaults: graceful_timeout 30 s, timeout 30 s, keepalive 2 s. */
export const GUNICORN_DEFAULTS = { gracefulTimeout: 30, timeout: 30, keepAlive: 2 } as const;

export interface GunicornFlags {
  /** --graceful-timeout: how long workers finish their requests after SIGTERM. */
  readonly gracefulTimeout?: number;
  /** --timeout / -t: a worker silent this long is killed and restarted (sync workers: one request's limit). */
  readonly timeout?: number;
  /** --keep-alive: how long an idle keep-alive connection is held. */
  readonly keepAlive?: number;
}

/** `gunicorn`, `/usr/local/bin/gunicorn`, or `python -m gunicorn`. */
export function runsGunicorn(words: readonly string[]): boolean {
  return words.some(
    (word, i) =>
      word.split('/').at(-1) === 'gunicorn' ||
      (word === '-m' && words[i + 1]?.startsWith('gunicorn') === true),
  );
}

/** Whether the command line names a config file (-c, --config), which then holds what the flags leave unset. */
export function namesConfigFile(words: readonly string[]): boolean {
  return words.some((word) => word === '-c' || word === '--config' || word.startsWith('--config='));
}

function seconds(words: readonly string[], ...flags: string[]): number | undefined {
  for (const flag of flags) {
    const value = flagValue(words, flag);
    const number = value === undefined ? Number.NaN : Number(value.replace(/^["']|["']$/g, ''));
    if (Number.isFinite(number)) return number;
  }
  return undefined;
}

/** What a gunicorn command line sets, or undefined when the words do not run gunicorn. */
export function gunicornFlags(words: readonly string[], envArgs?: string): GunicornFlags | undefined {
  if (!runsGunicorn(words)) return undefined;
  // The command line first: flagValue takes the first occurrence, and the command line wins.
  const all = [...words, ...commandWords([envArgs ?? ''])];
  const gracefulTimeout = seconds(all, '--graceful-timeout');
  const timeout = seconds(all, '--timeout', '-t');
  const keepAlive = seconds(all, '--keep-alive');
  return {
    ...(gracefulTimeout !== undefined ? { gracefulTimeout } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(keepAlive !== undefined ? { keepAlive } : {}),
  };
}
