import { describe } from 'node:test';
import { dockerfileRuleTester } from '../../testing/rule-tester.js';
import { dockerfilePackageManagerPid1 } from './dockerfile-package-manager-pid1.js';

describe('dockerfile-package-manager-pid1', () => {
  dockerfileRuleTester(dockerfilePackageManagerPid1, {
    valid: [
      { name: 'node directly', dockerfile: 'FROM node:20\nCMD ["node", "server.js"]\n' },
      {
        name: 'npm in a build stage only',
        dockerfile: 'FROM node:20 AS build\nRUN npm ci\nFROM node:20\nCMD ["node", "dist/main.js"]\n',
      },
    ],
    invalid: [
      {
        name: 'CMD ["npm", "start"]',
        dockerfile: 'FROM node:20\nCMD ["npm", "start"]\n',
        findings: [
          {
            line: 2,
            message: /^npm receives SIGTERM and does not forward it/,
            fix: /CMD \["node", "server\.js"\] .*; for a Node app, \["node", "--import", "@lameduck\/node\/register", "server\.js"\]/,
          },
        ],
      },
      {
        name: 'yarn as ENTRYPOINT',
        dockerfile: 'FROM node:20\nENTRYPOINT ["yarn", "start"]\n',
        findings: [{ line: 2, message: /^yarn receives SIGTERM/ }],
      },
    ],
  });
});
