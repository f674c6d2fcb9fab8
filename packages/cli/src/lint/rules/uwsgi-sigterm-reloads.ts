import { firstSettingLine } from '../../app-config/settings.js';
import type { AppConfigRule } from '../app-config-rule.js';
import { DOCS_BASE } from '../rule.js';

/**
 * uWSGI 2.0 takes SIGTERM as a "brutal reload": it kills its workers and starts them again instead of
 * stopping ("die-on-term: exit instead of brutal reload on SIGTERM", uWSGI's options reference). The
 * container keeps running until SIGKILL at the end of the grace period, with requests in flight cut
 * twice: at the reload and at SIGKILL.
 */
export const uwsgiSigtermReloads: AppConfigRule = {
  id: 'uwsgi-sigterm-reloads',
  severity: 'warning',
  description: 'uWSGI without die-on-term, which takes SIGTERM as a reload.',
  docs: `${DOCS_BASE}#uwsgi-sigterm-reloads`,
  messages: {
    reloadsOnSigterm:
      "uWSGI runs without die-on-term{where}: uWSGI 2.0 takes the kubelet's SIGTERM as a brutal reload, killing its workers and starting them again, so the requests in flight are cut and the pod runs on until SIGKILL at the end of the grace period",
  },
  check({ settings, text, startedWith }) {
    if (settings.server !== 'uwsgi' || settings.dieOnTerm?.value === true) return [];
    if (startedWith?.some((word) => word === '--die-on-term' || word === '--die-on-term=true')) return [];
    return [
      {
        line: settings.dieOnTerm?.line ?? firstSettingLine(text),
        messageId: 'reloadsOnSigterm',
        data: { where: settings.dieOnTerm ? ' (set to false here)' : '' },
        fix: 'die-on-term = true in the [uwsgi] section (or --die-on-term), so SIGTERM stops uWSGI gracefully',
      },
    ];
  },
};
