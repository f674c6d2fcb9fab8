export {
  DEFAULT_MARGIN_MS,
  type Deadline,
  DeadlineConfigError,
  type DeadlineOptions,
  GRACE_ENV,
  PRESTOP_ENV,
  shutdownDeadline,
} from './deadline.js';
