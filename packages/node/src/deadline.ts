/**
 * How long the app may drain after SIGTERM before it must exit on its own.
 *
 * The kubelet counts the grace period from the start of preStop and sends SIGKILL when it runs out
 * (never less than 2 s after SIGTERM), so the app's window is grace - preStop. Exiting `margin`
 * before that keeps the exit code ours rather than 137.
 */

/** The kubelet's minimum SIGTERM-to-SIGKILL window (kuberuntime_manager.go minimumGracePeriodInSeconds). */
const KUBELET_MINIMUM_WINDOW_MS = 2000;
const DEFAULT_GRACE_SECONDS = 30;
export const DEFAULT_MARGIN_MS = 2000;

export const GRACE_ENV = 'TERMINATION_GRACE_PERIOD_SECONDS';
export const PRESTOP_ENV = 'PRESTOP_SECONDS';

export interface DeadlineOptions {
  /** An explicit deadline in milliseconds; wins over the environment. */
  readonly timeoutMs?: number | undefined;
  readonly marginMs?: number | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface Deadline {
  readonly ms: number;
  readonly source: 'option' | 'environment' | 'default';
  /** Why this number, in one line for the start-up log. */
  readonly explanation: string;
}

export class DeadlineConfigError extends Error {
  override name = 'DeadlineConfigError';
}

/**
 * A number from the environment; undefined when unset or blank. Any other value that `accepts`
 * rejects throws, naming the variable, its value and what it takes (`expected`).
 */
export function readEnvNumber(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  accepts: (value: number) => boolean,
  expected: string,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || !accepts(value)) {
    throw new DeadlineConfigError(`${name}=${JSON.stringify(raw)} is not ${expected}`);
  }
  return value;
}

function readSeconds(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  return readEnvNumber(
    env,
    name,
    (value) => value >= 0,
    'a number of seconds; set it to a plain number such as "60" (no unit: Kubernetes writes terminationGracePeriodSeconds that way)',
  );
}

export function shutdownDeadline(options: DeadlineOptions = {}): Deadline {
  const margin = options.marginMs ?? DEFAULT_MARGIN_MS;
  // NaN would cut the drain at once and a negative margin would put the deadline after SIGKILL.
  if (!Number.isFinite(margin) || margin < 0) {
    throw new DeadlineConfigError(`marginMs must be a number of milliseconds, 0 or more, got ${margin}`);
  }
  if (options.timeoutMs !== undefined) {
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
      throw new DeadlineConfigError(
        `timeout must be a positive number of milliseconds, got ${options.timeoutMs}`,
      );
    }
    return {
      ms: options.timeoutMs,
      source: 'option',
      explanation: `timeout option: ${options.timeoutMs} ms`,
    };
  }
  const env = options.env ?? {};
  const grace = readSeconds(env, GRACE_ENV);
  const preStop = readSeconds(env, PRESTOP_ENV) ?? 0;
  const graceSeconds = grace ?? DEFAULT_GRACE_SECONDS;
  const windowMs = Math.max((graceSeconds - preStop) * 1000, KUBELET_MINIMUM_WINDOW_MS);
  // Never spend more than half the window on the margin: a tiny window still gets a drain.
  const ms = Math.max(windowMs - margin, windowMs / 2);
  const source = grace === undefined ? 'default' : 'environment';
  const graceText =
    grace === undefined ? `default grace ${DEFAULT_GRACE_SECONDS}s (${GRACE_ENV} unset)` : `grace ${grace}s`;
  return {
    ms,
    source,
    explanation: `${graceText} - preStop ${preStop}s - margin ${Math.round(windowMs - ms)} ms = ${ms} ms`,
  };
}
