import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shellLessImage } from '../../model/images.js';
import { ruleTester } from '../../testing/rule-tester.js';
import { prestopExecSleepInShellLessImage } from './prestop-exec-sleep-in-shell-less-image.js';

const pod = (image: string, preStop: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: ${image}\n      lifecycle:\n        preStop:\n          ${preStop}\n`;

describe('prestop-exec-sleep-in-shell-less-image', () => {
  it('knows distroless and Chainguard images, and their debug/dev variants', () => {
    assert.deepEqual(
      [
        'gcr.io/distroless/nodejs20-debian12',
        'gcr.io/distroless/static:debug',
        'cgr.dev/chainguard/node:latest',
        'cgr.dev/chainguard/node:latest-dev',
        'node:20',
      ].map(shellLessImage),
      [true, false, true, false, false],
    );
  });
  ruleTester(prestopExecSleepInShellLessImage, {
    valid: [
      {
        name: 'native sleep in distroless',
        yaml: pod('gcr.io/distroless/nodejs20-debian12', 'sleep: {seconds: 15}'),
      },
      { name: 'exec sleep in a Debian image', yaml: pod('node:20', 'exec: {command: ["sleep", "15"]}') },
    ],
    invalid: [
      {
        name: 'exec sleep in distroless',
        yaml: pod('gcr.io/distroless/nodejs20-debian12', 'exec: {command: ["/bin/sh", "-c", "sleep 15"]}'),
        findings: [
          {
            line: 10,
            message:
              /runs \/bin\/sh, which gcr\.io\/distroless\/nodejs20-debian12 does not contain: it fails \(FailedPreStopHook\)/,
          },
        ],
      },
    ],
  });
});
