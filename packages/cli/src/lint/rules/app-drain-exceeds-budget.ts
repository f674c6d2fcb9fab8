import { firstSettingLine } from '../../app-config/settings.js';
import { formatSeconds as t } from '../../model/duration.js';
import { GUNICORN_DEFAULTS } from '../../model/gunicorn.js';
import type { AppConfigRule } from '../app-config-rule.js';
import { DOCS_BASE } from '../rule.js';

/** Spring's timeout-per-shutdown-phase and gunicorn's graceful_timeout both default to 30 s. */
const DEFAULT_DRAIN_SECONDS = GUNICORN_DEFAULTS.gracefulTimeout;

export const appDrainExceedsBudget: AppConfigRule = {
  id: 'app-drain-exceeds-budget',
  severity: 'error',
  description: "The application server's shutdown timeout is longer than grace - preStop.",
  docs: `${DOCS_BASE}#app-drain-exceeds-budget`,
  messages: {
    drainOutlivesGrace:
      '{setting} {defaulted}lets the app drain for up to {drain}, but in {workload} container {container}{linked} SIGKILL comes {window} after SIGTERM (grace {grace} - preStop {preStop}): requests still running are cut{requestLimit}',
  },
  check({ settings, containers, speaksForDefaults, text }) {
    // uWSGI has no drain setting of its own: uwsgi-sigterm-reloads speaks of what SIGTERM does to it.
    if (settings.server === 'uwsgi') return [];
    if (settings.server === 'spring' && settings.shutdown?.value === 'immediate') return [];
    // The default drain is reported once per module, on the file that speaks for it.
    if (settings.drainSeconds === undefined && !speaksForDefaults) return [];
    const drain = settings.drainSeconds?.value ?? DEFAULT_DRAIN_SECONDS;
    const setting =
      settings.server === 'spring'
        ? 'spring.lifecycle.timeout-per-shutdown-phase'
        : settings.commandLine
          ? 'gunicorn --graceful-timeout'
          : 'graceful_timeout';
    const requests = settings.requestTimeoutSeconds;
    return containers
      .filter((c) => drain > c.windowSeconds)
      .map((c) => ({
        line:
          settings.drainSeconds?.line ??
          settings.commandLine?.line ??
          settings.buildFile?.line ??
          firstSettingLine(text),
        messageId: 'drainOutlivesGrace',
        data: {
          setting,
          defaulted: settings.drainSeconds ? '' : '(default) ',
          drain: t(drain),
          workload: c.workload,
          container: c.container,
          linked: c.linkedBy ? ` (${c.linkedBy})` : '',
          window: t(c.windowSeconds),
          grace: t(c.graceSeconds),
          preStop: t(c.preStopSeconds),
          requestLimit:
            requests !== undefined && requests > c.windowSeconds
              ? `, and --timeout ${t(requests)} lets one request run that long`
              : '',
        },
        fix: `${setting} below ${t(c.windowSeconds)}, or terminationGracePeriodSeconds >= ${Math.ceil(c.preStopSeconds + drain + 10)}`,
      }));
  },
};
