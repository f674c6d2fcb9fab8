import { startedProcess } from '../../dockerfile/facts.js';
import type { DockerfileRule } from '../dockerfile-rule.js';
import { isNodeApp, PRELOAD_ADVICE } from '../node-preload.js';
import { DOCS_BASE } from '../rule.js';

/** Plain words only: no variables, quotes, operators or globs, so the exec form means the same. */
const PLAIN_WORDS = /^[\w./:=@%+,-]+(?:\s+[\w./:=@%+,-]+)*$/;

export const dockerfileShellForm: DockerfileRule = {
  id: 'dockerfile-shell-form',
  severity: 'warning',
  description: 'Shell-form ENTRYPOINT, or shell-form CMD with no ENTRYPOINT, in the final stage.',
  docs: `${DOCS_BASE}#dockerfile-shell-form`,
  check({ facts }) {
    const process = startedProcess(facts);
    if (process?.form !== 'shell') return [];
    const command = process.argv[0] ?? '';
    return [
      {
        line: process.line,
        column: process.column,
        message: `${process.keyword} ${command} runs as /bin/sh -c "${command}": the shell is PID 1, and where it does not exec the command (busybox on Alpine, any script with more than one command) SIGTERM stops at the shell and the app is SIGKILLed at the end of the grace period`,
        fix: `use the exec form: ${process.keyword} ${JSON.stringify(command.split(/\s+/).filter(Boolean))}${isNodeApp(facts.baseImage, [command]) ? `; ${PRELOAD_ADVICE}` : ''}`,
      },
    ];
  },
  fix(facts) {
    const process = startedProcess(facts);
    const command = process?.argv[0]?.trim() ?? '';
    if (process?.form !== 'shell' || !PLAIN_WORDS.test(command)) return undefined;
    const lines = facts.text.split('\n');
    const line = lines[process.line - 1] ?? '';
    // Only a single-line instruction is rewritten; continuation lines are left to a person.
    if (line.trimEnd().endsWith('\\')) return undefined;
    const argv = command.split(/\s+/).map((word) => JSON.stringify(word));
    lines[process.line - 1] = `${line.slice(0, process.column - 1)}${process.keyword} [${argv.join(', ')}]`;
    return lines.join('\n');
  },
};
