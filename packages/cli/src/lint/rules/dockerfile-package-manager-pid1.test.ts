import { describe } from 'node:test';
import { dockerfileRuleTester } from '../../testing/rule-tester.js';
import { dockerfilePackageManagerPid1 } from './dockerfile-package-manager-pid1.js';

describe('dockerfile-package-manager-pid1', () => {
  dockerfileRuleTester(dockerfilePackageManagerPid1, {
    valid: [
      { name: 'node directly', dockerfile: 'FROM node:20\nCMD ["node", "server.js"]\n' },
      {
        name: 'npm start on an Alpine node image: busybox execs the app, which gets the SIGTERM npm forwards',
        dockerfile: 'FROM node:22-alpine\nCMD ["npm", "start"]\n',
      },
      {
        name: 'npm in a build stage only',
        dockerfile: 'FROM node:20 AS build\nRUN npm ci\nFROM node:20\nCMD ["node", "dist/main.js"]\n',
      },
    ],
    invalid: [
      {
        name: 'CMD ["npm", "start"] on a Debian node image: dash takes the SIGTERM npm passes on, npm exits and takes the app down',
        dockerfile: 'FROM node:20\nCMD ["npm", "start"]\n',
        findings: [
          {
            line: 2,
            messageId: 'npmExitsFirst',
            message:
              /^npm receives SIGTERM and passes it only to the shell it runs the start script with, dash in node:20/,
            fix: /CMD \["node", "server\.js"\] .*; for a Node app, \["node", "--import", "@lameduck\/node\/register", "server\.js"\]/,
          },
        ],
      },
      {
        name: 'yarn as ENTRYPOINT',
        dockerfile: 'FROM node:20\nENTRYPOINT ["yarn", "start"]\n',
        findings: [{ line: 2, messageId: 'managerIsPid1', message: /^yarn receives SIGTERM/ }],
      },
    ],
  });
});
