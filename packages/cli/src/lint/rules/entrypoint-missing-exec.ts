import { missingExec } from '../../dockerfile/script.js';
import type { DockerfileRule } from '../dockerfile-rule.js';
import { DOCS_BASE } from '../rule.js';

export const entrypointMissingExec: DockerfileRule = {
  id: 'entrypoint-missing-exec',
  severity: 'warning',
  description: 'The entrypoint script starts the app without exec.',
  docs: `${DOCS_BASE}#entrypoint-missing-exec`,
  messages: {
    lastCommandNotExeced:
      'the script ends with `{command}` without exec: the shell stays PID 1 and does not forward SIGTERM, so the app is SIGKILLed at the end of the grace period',
  },
  check({ script }) {
    if (!script) return [];
    const last = missingExec(script.text);
    if (!last) return [];
    return [
      {
        file: script.file,
        line: last.line,
        column: 1,
        messageId: 'lastCommandNotExeced',
        data: { command: last.text },
        fix: `exec ${last.text}`,
      },
    ];
  },
};
