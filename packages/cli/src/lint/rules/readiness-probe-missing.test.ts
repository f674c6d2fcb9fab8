import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { readinessProbeMissing } from './readiness-probe-missing.js';

describe('readiness-probe-missing', () => {
  ruleTester(readinessProbeMissing, {
    valid: [
      {
        name: 'httpGet readiness probe',
        yaml: deployment({ container: '\n          readinessProbe: {httpGet: {path: /ready, port: 8080}}' }),
      },
    ],
    invalid: [
      {
        name: 'serving container without probe',
        yaml: deployment(),
        findings: [
          {
            line: 14,
            message: /counts as ready as soon as it starts/,
            fix: /fails when the app cannot serve \(an HTTP server: httpGet that answers 503 from SIGTERM on\)/,
          },
        ],
      },
      {
        name: 'an HTTP port (named http): the 503 advice',
        yaml: deployment().replace('- containerPort: 8080', '- {name: http, containerPort: 8080}'),
        findings: [
          {
            line: 14,
            message: /counts as ready/,
            fix: /^add a readinessProbe \(httpGet on the serving port\)/,
          },
        ],
      },
      {
        name: 'Redis: a TCP check or its own client, never "503"',
        yaml: deployment()
          .replace('containerPort: 8080', 'containerPort: 6379')
          .replace('image: web:1', 'image: redis:7'),
        findings: [
          {
            line: 14,
            message: /counts as ready/,
            fix: /^add a readinessProbe that checks Redis answers: tcpSocket on port 6379, or an exec of redis-cli ping$/,
          },
        ],
      },
    ],
  });
});
