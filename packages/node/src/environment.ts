/**
 * The settings of the zero-code preload (register.ts), read from the container's environment. Every
 * value is checked here, at start-up; a bad one throws a DeadlineConfigError naming the variable,
 * its value and what it takes.
 */
import { readEnvNumber } from './deadline.js';
import { MAX_UPSTREAM_IDLE_TIMEOUT_MS } from './keep-alive.js';
import type { LameduckOptions } from './lameduck.js';

/** Serve /healthz/ready and /healthz/live on this port, apart from the app's own listeners. */
export const HEALTH_PORT_ENV = 'LAMEDUCK_HEALTH_PORT';
/** The idle timeout of the load balancer in front of the pod (upstreamIdleTimeoutMs). */
export const UPSTREAM_IDLE_TIMEOUT_ENV = 'LAMEDUCK_UPSTREAM_IDLE_TIMEOUT_SECONDS';

export interface EnvironmentSettings {
  /** The deadline comes from the same environment: TERMINATION_GRACE_PERIOD_SECONDS, PRESTOP_SECONDS. */
  readonly options: LameduckOptions;
  readonly healthPort: number | undefined;
}

export function settingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): EnvironmentSettings {
  const healthPort = readEnvNumber(
    env,
    HEALTH_PORT_ENV,
    (port) => Number.isInteger(port) && port >= 1 && port <= 65535,
    'a port; set it to a whole number from 1 to 65535, such as "9090"',
  );
  const maxSeconds = MAX_UPSTREAM_IDLE_TIMEOUT_MS / 1000;
  const upstreamSeconds = readEnvNumber(
    env,
    UPSTREAM_IDLE_TIMEOUT_ENV,
    (seconds) => seconds > 0 && seconds <= maxSeconds,
    `a number of seconds above 0 and at most ${maxSeconds}; set it to the load balancer's idle timeout, such as "60" (no unit)`,
  );
  return {
    options: {
      env,
      ...(upstreamSeconds !== undefined && { upstreamIdleTimeoutMs: upstreamSeconds * 1000 }),
    },
    healthPort,
  };
}
