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
      {
        name: 'a sequence under bash: bash 5.1 and later exec its last command',
        yaml: command('["bash", "-c", "./migrate && node server.js"]'),
      },
      {
        name: 'a sequence under sh on Alpine: busybox execs its last command',
        yaml: command('["sh", "-c", "./migrate && node server.js"]').replace(
          'image: web:1',
          'image: node:20-alpine',
        ),
      },
      {
        name: 'npm start on Alpine: npm forwards SIGTERM to the shell, which busybox replaced by the app',
        yaml: command('["npm", "start"]').replace('image: web:1', 'image: node:22-alpine'),
      },
      {
        name: "a script of builtins that return at once (Temporal's hook Job `echo done`): nothing to cut",
        yaml: command('["sh", "-c", "echo \\"Store setup completed\\"; exit 0"]'),
      },
    ],
    invalid: [
      {
        name: 'a wrk load tester in a sh -c loop (argo-rollouts examples): info, it serves no request',
        yaml: deployment().replace(
          'image: web:1',
          'image: debian:12\n          command: [/bin/sh, -c, "while true; do wrk -t2 -c10 -d60s http://web/; done"]',
        ),
        findings: [{ line: 16, severity: 'info', messageId: 'loadGenerator', data: { program: 'wrk' } }],
      },
      {
        name: "a Prometheus exporter under sh -c on a Debian image (Rocket.Chat's FreeSWITCH exporter): it serves no request, info",
        yaml: deployment()
          .replace(
            'image: web:1',
            'image: debian:12\n          command: [/bin/sh, -c, "sleep 5; /usr/bin/freeswitch_exporter"]',
          )
          .replace('image: debian:12', 'image: example/freeswitch-exporter:1'),
        findings: [
          { line: 16, severity: 'info', messageId: 'servesNothing', message: /Prometheus exporter/ },
        ],
      },
      {
        name: "a Helm hook Job's wait loop under sh -c on a Debian image: its work is cut, no request, info (Sentry's db-check)",
        yaml: 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: db-check}\nspec:\n  template:\n    spec:\n      containers:\n        - name: check\n          image: debian:12\n          command: [/bin/sh, -c, "until nc -z kafka 9092; do sleep 10; done; ./migrate"]\n',
        findings: [{ line: 10, severity: 'info', messageId: 'jobKilled', data: { kind: 'Job' } }],
      },
      {
        name: 'npm start',
        yaml: command('["npm", "start"]'),
        findings: [
          {
            line: 18,
            messageId: 'sigtermLost',
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
        findings: [
          {
            line: 18,
            messageId: 'sigtermLost',
            message: /shell stays PID 1/,
            fix: { not: /@lameduck\/node/ },
          },
        ],
      },
      {
        name: 'sh -c with a sequence and no exec, the image unknown: said with the shells it depends on',
        yaml: command('["sh", "-c", "./migrate && node server.js"]'),
        findings: [
          {
            line: 18,
            messageId: 'sigtermLost',
            message:
              /^unless sh is busybox \(Alpine\) or bash, which exec the last command, it is dash \(Debian, Ubuntu\), which does not: the shell stays PID 1/,
            fix: /@lameduck\/node\/register/,
          },
        ],
      },
      {
        name: 'a pipeline: no shell execs into one',
        yaml: command('["bash", "-c", "node server.js | tee /tmp/log"]'),
        findings: [{ line: 18, messageId: 'sigtermLost', message: /^a pipeline keeps the shell as PID 1/ }],
      },
      {
        name: 'npm start on a Debian node image: dash between npm and the app takes the SIGTERM npm forwards',
        yaml: command('["npm", "start"]').replace('image: web:1', 'image: node:22-slim'),
        findings: [
          { line: 18, messageId: 'sigtermLost', message: /^npm becomes PID 1 and does not forward SIGTERM/ },
        ],
      },
      {
        name: 'sh -c with a lone command on a Debian image: dash does not exec it',
        yaml: command('["sh", "-c", "node server.js"]').replace('image: web:1', 'image: node:20'),
        findings: [
          {
            line: 18,
            messageId: 'sigtermLost',
            message:
              /^sh is dash in node:20, which does not exec even the last command: the shell stays PID 1/,
          },
        ],
      },
    ],
  });
});
