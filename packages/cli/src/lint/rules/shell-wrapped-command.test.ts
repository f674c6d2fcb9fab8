import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { shellWrappedCommand } from './shell-wrapped-command.js';

const command = (argv: string) => deployment({ container: `\n          command: ${argv}` });

describe('shell-wrapped-command', () => {
  ruleTester(shellWrappedCommand, {
    valid: [
      { name: 'exec form', yaml: command('["node", "server.js"]') },
      { name: 'shell that execs', yaml: command('["sh", "-c", "./migrate && exec node server.js"]') },
      {
        name: 'a single command under bash (bash execs it)',
        yaml: command('["bash", "-c", "node server.js"]'),
      },
    ],
    invalid: [
      {
        name: 'npm start',
        yaml: command('["npm", "start"]'),
        findings: [
          {
            line: 18,
            message: /npm becomes PID 1 and does not forward SIGTERM/,
            fix: /for a Node app, \["node", "--import", "@lameduck\/node\/register", "server\.js"\] also drains it/,
          },
        ],
      },
      {
        name: 'a Python app under sh -c: no word of Node',
        yaml: command('["sh", "-c", "./migrate && gunicorn app:app"]').replace(
          'image: web:1',
          'image: python:3.12',
        ),
        findings: [{ line: 18, message: /shell stays PID 1/, fix: { not: /@lameduck\/node/ } }],
      },
      {
        name: 'sh -c with a sequence and no exec',
        yaml: command('["sh", "-c", "./migrate && node server.js"]'),
        findings: [{ line: 18, message: /shell stays PID 1/, fix: /@lameduck\/node\/register/ }],
      },
      {
        name: 'sh -c with a lone command: dash does not exec it',
        yaml: command('["sh", "-c", "node server.js"]'),
        findings: [
          {
            line: 18,
            message: /sh is dash on Debian and Ubuntu images, which does not exec even a lone command/,
          },
        ],
      },
    ],
  });
});
