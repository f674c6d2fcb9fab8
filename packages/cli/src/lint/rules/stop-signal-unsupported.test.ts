import { describe } from 'node:test';
import { deployment, ruleTester } from '../../testing/rule-tester.js';
import { stopSignalUnsupported } from './stop-signal-unsupported.js';

const signal = deployment({ container: '\n          lifecycle: {stopSignal: SIGQUIT}' });
const withOs = deployment({
  podSpec: '\n      os: {name: linux}',
  container: '\n          lifecycle: {stopSignal: SIGQUIT}',
});

describe('stop-signal-unsupported', () => {
  ruleTester(stopSignalUnsupported, {
    valid: [{ name: 'no stopSignal', yaml: deployment() }],
    invalid: [
      {
        name: 'before 1.33',
        yaml: signal,
        kubeVersion: '1.32',
        findings: [{ line: 18, message: /does not exist before Kubernetes 1\.33/ }],
      },
      {
        name: 'without spec.os.name',
        yaml: signal,
        kubeVersion: '1.34',
        findings: [{ line: 18, message: /needs spec\.os\.name/ }],
      },
      {
        name: 'with os.name: alpha gate',
        yaml: withOs,
        kubeVersion: '1.34',
        findings: [{ line: 19, message: /is alpha \(ContainerStopSignals/ }],
      },
    ],
  });
});
