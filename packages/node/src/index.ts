export type { AttachableServer, ConnectionCounts, UpgradedSocketHandler } from './connections.js';
export {
  DEFAULT_MARGIN_MS,
  type Deadline,
  DeadlineConfigError,
  type DeadlineOptions,
  GRACE_ENV,
  PRESTOP_ENV,
  shutdownDeadline,
} from './deadline.js';
export type { HealthHandler, HealthReport, HealthServerOptions } from './health.js';
export type { HookOutcome } from './hooks.js';
export {
  type ExitEvent,
  Lameduck,
  type LameduckEvents,
  type LameduckOptions,
  type LameduckState,
  lameduck,
  type Phase,
  type ReadinessCheck,
  type ShutdownEvent,
} from './lameduck.js';
export type { Logger, LoggerOption } from './logger.js';
export { type ProcessFacts, type ProcReader, pid1Warning } from './pid1.js';
