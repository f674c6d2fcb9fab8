import { describe } from 'node:test';
import { dockerfileRuleTester } from '../../testing/rule-tester.js';
import { dockerfileNginxStopsignal } from './dockerfile-nginx-stopsignal.js';

const custom = 'FROM alpine:3.20\nRUN apk add --no-cache nginx\nCMD ["nginx", "-g", "daemon off;"]\n';

describe('dockerfile-nginx-stopsignal', () => {
  dockerfileRuleTester(dockerfileNginxStopsignal, {
    valid: [
      {
        name: 'official nginx image (STOPSIGNAL SIGQUIT inherited)',
        dockerfile: 'FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n',
      },
      {
        name: 'official image by full name',
        dockerfile: 'FROM docker.io/library/nginx:stable\nCMD ["nginx", "-g", "daemon off;"]\n',
      },
      { name: 'custom image with STOPSIGNAL SIGQUIT', dockerfile: `${custom}STOPSIGNAL SIGQUIT\n` },
    ],
    invalid: [
      {
        name: 'custom nginx without STOPSIGNAL',
        dockerfile: custom,
        findings: [{ line: 1, message: /nginx gets SIGTERM, its fast shutdown/ }],
        output: `${custom}STOPSIGNAL SIGQUIT\n`,
      },
    ],
  });
});
