import { describe } from 'node:test';
import { appConfigRuleTester } from '../../testing/rule-tester.js';
import { uwsgiSigtermReloads } from './uwsgi-sigterm-reloads.js';

/** robot-shop's payment service: uWSGI from an ini file, started by `uwsgi --ini payment.ini`. */
const payment = '[uwsgi]\nwsgi-file = payment.py\ncallable = app\n\nmaster = true\nprocesses = 1\n';

describe('uwsgi-sigterm-reloads', () => {
  appConfigRuleTester(uwsgiSigtermReloads, {
    valid: [
      { name: 'die-on-term = true', file: 'payment.ini', text: `${payment}die-on-term = true\n` },
      {
        name: '--die-on-term on the command line the Dockerfile starts',
        file: 'payment.ini',
        text: payment,
        startedWith: ['uwsgi', '--ini', 'payment.ini', '--die-on-term'],
      },
    ],
    invalid: [
      {
        name: "robot-shop's payment.ini: no die-on-term, at the section's first setting",
        file: 'payment.ini',
        text: `; the payment service\n${payment}`,
        startedWith: ['uwsgi', '--ini', 'payment.ini'],
        findings: [
          { line: 2, messageId: 'reloadsOnSigterm', data: { where: '' }, fix: /^die-on-term = true/ },
        ],
      },
      {
        name: 'die-on-term = false, at its line',
        file: 'uwsgi.ini',
        text: `${payment}die-on-term = false\n`,
        findings: [{ line: 7, messageId: 'reloadsOnSigterm', data: { where: ' (set to false here)' } }],
      },
    ],
  });
});
