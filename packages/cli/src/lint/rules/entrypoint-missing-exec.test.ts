import { describe } from 'node:test';
import { dockerfileRuleTester } from '../../testing/rule-tester.js';
import { entrypointMissingExec } from './entrypoint-missing-exec.js';

const dockerfile =
  'FROM node:20\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["node", "server.js"]\n';

describe('entrypoint-missing-exec', () => {
  dockerfileRuleTester(entrypointMissingExec, {
    valid: [
      {
        name: 'exec "$@" after set -e, a function and comments',
        dockerfile,
        script: '#!/bin/sh\nset -e\nsetup() {\n  echo ready\n}\nsetup\n# hand over\nexec "$@"\n',
      },
      { name: 'no script to read', dockerfile },
    ],
    invalid: [
      {
        name: 'runs "$@" without exec',
        dockerfile,
        script: '#!/bin/sh\nset -e\n./migrate\n"$@"\n',
        findings: [
          {
            file: 'entrypoint.sh',
            line: 4,
            message: /ends with `"\$@"` without exec: the shell stays PID 1/,
          },
        ],
      },
      {
        name: 'ends in if/else whose web branch runs the server without exec',
        dockerfile,
        script:
          '#!/bin/sh\nif [ "$ROLE" = worker ]; then\n  exec node worker.js\nelse\n  node server.js\nfi\n',
        findings: [{ file: 'entrypoint.sh', line: 5, message: /ends with `node server\.js` without exec/ }],
      },
    ],
  });
});
