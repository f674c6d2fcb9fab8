import { describe } from 'node:test';
import { dockerfileRuleTester } from '../../testing/rule-tester.js';
import { dockerfileShellForm } from './dockerfile-shell-form.js';

describe('dockerfile-shell-form', () => {
  dockerfileRuleTester(dockerfileShellForm, {
    valid: [
      {
        name: "shell form whose last command is exec'd",
        dockerfile: 'FROM python:3.12\nCMD ./migrate && exec gunicorn -b 0.0.0.0:$PORT app:app\n',
      },
      { name: 'exec form', dockerfile: 'FROM node:20\nCMD ["node", "server.js"]\n' },
      {
        name: 'shell form only in an earlier stage',
        dockerfile: 'FROM node:20 AS build\nCMD npm test\nFROM node:20\nCMD ["node", "server.js"]\n',
      },
    ],
    invalid: [
      {
        name: 'shell-form CMD',
        dockerfile: 'FROM node:20-alpine\nCOPY . .\nCMD node server.js\n',
        output: 'FROM node:20-alpine\nCOPY . .\nCMD ["node", "server.js"]\n',
        findings: [
          {
            line: 3,
            message: /runs as \/bin\/sh -c "node server\.js"/,
            fix: /^use the exec form: CMD \["node","server\.js"\]; for a Node app, .*@lameduck\/node\/register/,
          },
        ],
      },
      {
        name: 'a variable, a redirection and a sequence: exec the last command, not the exec form',
        dockerfile: 'FROM python:3.12\nCMD ./migrate && gunicorn -b 0.0.0.0:$PORT app:app 2>&1\n',
        findings: [
          {
            line: 2,
            message: /runs as \/bin\/sh -c/,
            fix: /^keep the shell form and exec the last command, so the shell expands it and then becomes the app: CMD \.\/migrate && exec gunicorn -b 0\.0\.0\.0:\$PORT app:app 2>&1$/,
          },
        ],
      },
      {
        name: 'a pipeline: an entrypoint script',
        dockerfile: 'FROM python:3.12\nCMD gunicorn app:app | tee /var/log/app.log\n',
        findings: [{ line: 2, message: /runs as/, fix: /^a pipeline keeps the shell as PID 1/ }],
      },
      {
        name: 'shell-form ENTRYPOINT wins over an exec CMD',
        dockerfile: 'FROM alpine\nENTRYPOINT myapp --flag\nCMD ["x"]\n',
        findings: [{ line: 2, message: /ENTRYPOINT myapp --flag/, fix: { not: /@lameduck\/node/ } }],
      },
    ],
  });
});
