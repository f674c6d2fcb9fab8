import { type ProcessInstruction, processArgv, startedProcess } from '../../dockerfile/facts.js';
import { loadGenerator } from '../../model/protocols.js';
import { PIPELINE, withoutQuotes } from '../../model/shells.js';
import { shellScript, sigtermLostBecause } from '../../model/sigterm-path.js';
import type { DockerfileFinding, DockerfileRule } from '../dockerfile-rule.js';
import { isNodeApp, PRELOAD_ADVICE } from '../node-preload.js';
import { DOCS_BASE } from '../rule.js';

/** Plain words only: no variables, quotes, operators or globs, so the exec form means the same. */
const PLAIN_WORDS = /^[\w./:=@%+,-]+(?:\s+[\w./:=@%+,-]+)*$/;

/**
 * The change that makes the app PID 1 without changing what the command means: the exec form for
 * plain words; where the shell does work the exec form would not (expanding $PORT, quotes,
 * redirections, a sequence), the shell form with its last command exec'd; a pipeline needs a script.
 */
function execHint(keyword: string, command: string): string {
  const trimmed = command.trim();
  if (PLAIN_WORDS.test(trimmed))
    return `use the exec form: ${keyword} ${JSON.stringify(trimmed.split(/\s+/))}`;
  if (PIPELINE.test(withoutQuotes(trimmed)))
    return 'a pipeline keeps the shell as PID 1: move it into an entrypoint script that ends in exec, or log to stdout from the app';
  const { head, last } = splitLast(trimmed);
  // The exec form would pass $VARIABLES, quotes and redirections to the app literally.
  return `keep the shell form and exec the last command, so the shell expands it and then becomes the app: ${keyword} ${head ? `${head} ` : ''}exec ${last}`;
}

/** A shell command as what runs before its last command, and that last command; quoted `;` and `&&` are words. */
function splitLast(command: string): { head: string; last: string } {
  const bare = withoutQuotes(command);
  const at = Math.max(bare.lastIndexOf('&&'), bare.lastIndexOf(';'));
  const head = at < 0 ? '' : command.slice(0, at + (bare[at] === ';' ? 1 : 2));
  return { head, last: command.slice(head.length).trim() };
}

/**
 * `ENTRYPOINT ["sh", "-c", "..."]`: the exec form, but of a shell, which is PID 1 as surely as in
 * the shell form. (A package manager as PID 1 has its own rule.)
 */
function execFormShell(process: ProcessInstruction, baseImage: string): DockerfileFinding[] {
  const shellRun = shellScript(process.argv);
  if (shellRun === undefined) return [];
  const { shell: program, script } = shellRun;
  const reason = sigtermLostBecause(process.argv, baseImage);
  if (reason === undefined || /package manager/.test(reason)) return [];
  const { head, last } = splitLast(script.trim().replace(/;\s*$/, ''));
  const execed = JSON.stringify([program, '-c', `${head ? `${head} ` : ''}exec ${last}`]);
  return [
    {
      line: process.line,
      column: process.column,
      messageId: 'execFormShell',
      data: { keyword: process.keyword, argv: JSON.stringify(process.argv), reason },
      fix: `exec the last command, so the shell becomes the app: ${process.keyword} ${execed}`,
    },
  ];
}

export const dockerfileShellForm: DockerfileRule = {
  id: 'dockerfile-shell-form',
  severity: 'warning',
  description: 'Shell-form ENTRYPOINT, or shell-form CMD with no ENTRYPOINT, in the final stage.',
  docs: `${DOCS_BASE}#dockerfile-shell-form`,
  messages: {
    execFormShell:
      '{keyword} {argv} starts a shell as PID 1 itself: {reason}, so the app is SIGKILLed at the end of the grace period and in-flight requests are cut',
    shellIsPid1:
      '{keyword} {command} runs as /bin/sh -c "{command}", PID 1: {reason}, so the app is SIGKILLed at the end of the grace period and in-flight requests are cut',
    malformedExec:
      '{keyword} {command} looks like the exec form but is not valid JSON, so Docker runs it as /bin/sh -c "{command}": the shell looks for a program named by its first word and the container fails to start',
    loadGenerator:
      '{keyword} {command} runs as /bin/sh -c "{command}", PID 1: {reason}, so {program} is SIGKILLed at the end of the grace period; a load generator serves no request, so each stop costs only that wait',
  },
  check({ facts }) {
    const process = startedProcess(facts);
    if (process?.form === 'exec') return execFormShell(process, facts.baseImage);
    if (process?.form !== 'shell') return [];
    const command = process.argv[0] ?? '';
    if (process.malformedExec)
      return [
        {
          line: process.line,
          column: process.column,
          messageId: 'malformedExec',
          data: { keyword: process.keyword, command },
          fix: 'write a JSON array of strings: double quotes, a comma between words, one closing bracket',
        },
      ];
    const reason = sigtermLostBecause(processArgv(process), facts.baseImage);
    if (reason === undefined) return [];
    const program = loadGenerator([command]);
    return [
      {
        line: process.line,
        column: process.column,
        ...(program
          ? {
              messageId: 'loadGenerator',
              severity: 'info' as const,
              data: { keyword: process.keyword, command, reason, program },
            }
          : { messageId: 'shellIsPid1', data: { keyword: process.keyword, command, reason } }),
        fix: `${execHint(process.keyword, command)}${isNodeApp(facts.baseImage, [command]) ? `; ${PRELOAD_ADVICE}` : ''}`,
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
