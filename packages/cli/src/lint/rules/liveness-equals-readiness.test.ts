import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { livenessEqualsReadiness } from './liveness-equals-readiness.js';

const probes = (live: string, ready: string) =>
  deployment({
    container: `\n          readinessProbe: {httpGet: {path: ${ready}, port: 8080}, periodSeconds: 5}\n          livenessProbe: {httpGet: {path: ${live}, port: 8080}, periodSeconds: 10}`,
  });

describe('liveness-equals-readiness', () => {
  ruleTester(livenessEqualsReadiness, {
    valid: [{ name: 'separate endpoints', yaml: probes('/healthz/live', '/healthz/ready') }],
    invalid: [
      {
        name: 'same endpoint, different timing',
        yaml: probes('/healthz', '/healthz'),
        findings: [{ line: 19, message: /must fail readiness \(503\) but keep passing liveness/ }],
      },
      {
        name: 'the same TCP check for both: no word of 503',
        yaml: probes('/healthz', '/healthz').replaceAll(/httpGet: \{[^}]*\}/g, 'tcpSocket: {port: 8080}'),
        findings: [{ line: 19, message: /^a draining app must fail readiness but keep passing liveness/ }],
      },
    ],
  });
});
