/**
 * Enough shell to answer one question about an entrypoint script: does it end by exec'ing the app?
 * Comments, `set -e` and function bodies are skipped. What the shell runs last is the last
 * top-level command, or, when the script ends in an if/else or case block, the last command of
 * each of its branches: every one of them must exec the app.
 */
import { scriptCommands } from '../model/shells.js';

export interface ScriptCommand {
  readonly text: string;
  readonly line: number;
}

const OPENER = /^(?:if|case|while|until|for|select)\b/;
const CLOSER = /^(?:fi|esac|done)\b|^\}/;
const FUNCTION = /^(?:function\s+)?[\w-]+\s*\(\)|^function\s+[\w-]+/;
const BLOCK_WORD = /^(?:then|do|\{)$/;
const BRANCH_BREAK = /^(?:else|elif\b.*)$/;
/** A case pattern line, `worker)` or `*)`, with whatever command follows it on the line. */
const CASE_PATTERN = /^\(?[^()]*\)\s*(.*)$/;

/** The last top-level construct of the script: a command, or a branching block and its branch ends. */
type Final =
  | { readonly kind: 'command'; readonly command: ScriptCommand }
  | { readonly kind: 'branches'; readonly ends: (ScriptCommand | undefined)[] }
  | { readonly kind: 'other' };

/** The commands the shell may run last, each of which decides whether the app replaces the shell. */
export function finalCommands(script: string): ScriptCommand[] {
  let depth = 0;
  let final = { kind: 'other' } as Final;
  // The top-level if/case block being read, and the last command of its current branch.
  let block: { kind: 'if' | 'case'; ends: (ScriptCommand | undefined)[] } | undefined;
  let branchLast: ScriptCommand | undefined;
  const endBranch = () => {
    block?.ends.push(branchLast);
    branchLast = undefined;
  };
  script.split('\n').forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '' || line.startsWith('#!')) return;
    const at = (text: string): ScriptCommand => ({ text, line: index + 1 });
    const opens = OPENER.test(line) || FUNCTION.test(line);
    // A whole block on one line (`if x; then y; fi`, `f() { y; }`) opens and closes at once.
    const closesToo =
      /(?:^|;\s*)(?:fi|done|esac)\s*$/.test(line) || (FUNCTION.test(line) && /\}\s*$/.test(line));
    if (opens) {
      if (closesToo) {
        if (depth === 1 && block) branchLast = undefined; // a nested block ends the branch: unknown
        if (depth === 0 && !FUNCTION.test(line)) final = { kind: 'other' };
        return;
      }
      if (depth === 0 && /^(?:if|case)\b/.test(line)) {
        block = { kind: line.startsWith('if') ? 'if' : 'case', ends: [] };
        branchLast = undefined;
      } else if (depth === 0 && !FUNCTION.test(line)) final = { kind: 'other' };
      else if (depth === 1 && block) branchLast = undefined;
      depth++;
      return;
    }
    if (CLOSER.test(line)) {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && block) {
        if (block.kind === 'if') endBranch();
        final = { kind: 'branches', ends: block.ends };
        block = undefined;
      }
      return;
    }
    if (depth === 0) {
      if (!BLOCK_WORD.test(line)) final = { kind: 'command', command: at(line) };
      return;
    }
    if (depth !== 1 || !block || BLOCK_WORD.test(line)) return;
    if (block.kind === 'if' && BRANCH_BREAK.test(line)) {
      endBranch();
      return;
    }
    let command = line;
    if (block.kind === 'case' && branchLast === undefined && CASE_PATTERN.test(line))
      command = CASE_PATTERN.exec(line)?.[1] ?? '';
    const ends = /;;\s*$/.test(command);
    command = command.replace(/;;\s*$/, '').trim();
    if (command !== '') branchLast = at(command);
    if (ends) endBranch();
  });
  if (final.kind === 'command') return [final.command];
  if (final.kind === 'branches') return final.ends.filter((end) => end !== undefined);
  return [];
}

/**
 * The script traps SIGTERM and waits for its children (`trap handle_term TERM`, the app started
 * with `&`, then `wait`): as PID 1 with a handler it gets SIGTERM and passes it on itself. A trap
 * without `wait` is no such thing: the shell runs it only after a foreground child has exited.
 */
function forwardsSigterm(script: string): boolean {
  const lines = script.split('\n').map((line) => line.replace(/(^|\s)#.*$/, ''));
  const traps = lines.some((line) => /(?:^|[\s;])trap\s+.+\s(?:SIG)?(?:TERM|15)\b/.test(line));
  return traps && lines.some((line) => /(?:^|[\s;&])wait(?:\s|;|$)/.test(line));
}

/** The first of the last commands that leaves the shell as PID 1, or undefined when all exec. */
export function missingExec(script: string): ScriptCommand | undefined {
  if (forwardsSigterm(script)) return undefined;
  return finalCommands(script).find((last) => {
    const command = scriptCommands(last.text).at(-1) ?? '';
    return !/^exec\s/.test(command) && !/^exit\b/.test(command);
  });
}
