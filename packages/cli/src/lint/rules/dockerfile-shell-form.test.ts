import { describe } from 'node:test';
import { dockerfileRuleTester } from '../../testing/rule-tester.js';
import { dockerfileShellForm } from './dockerfile-shell-form.js';

describe('dockerfile-shell-form', () => {
  dockerfileRuleTester(dockerfileShellForm, {
    valid: [
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
        name: 'shell-form ENTRYPOINT wins over an exec CMD',
        dockerfile: 'FROM alpine\nENTRYPOINT myapp --flag\nCMD ["x"]\n',
        findings: [{ line: 2, message: /ENTRYPOINT myapp --flag/, fix: { not: /@lameduck\/node/ } }],
      },
    ],
  });
});
