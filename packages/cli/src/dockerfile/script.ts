/**
 * Enough shell to answer one question about an entrypoint script: does it end by exec'ing the app?
 * Comments, `set -e`, function bodies and if/case/loop blocks are skipped; the last top-level
 * command is what the shell runs when everything before it has succeeded.
 */

export interface ScriptCommand {
  readonly text: string;
  readonly line: number;
}

const OPENER = /^(?:if|case|while|until|for|select)\b/;
const CLOSER = /^(?:fi|esac|done)\b|^\}/;
const FUNCTION = /^(?:function\s+)?[\w-]+\s*\(\)|^function\s+[\w-]+/;
const BLOCK_WORD = /^(?:then|do|else|elif\b.*|\{|;;)$/;

/** The last command at the top level of the script, with its line. */
export function lastTopLevelCommand(script: string): ScriptCommand | undefined {
  let depth = 0;
  let last: ScriptCommand | undefined;
  script.split('\n').forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '' || line.startsWith('#!')) return;
    const opens = OPENER.test(line) || FUNCTION.test(line);
    // A whole block on one line (`if x; then y; fi`, `f() { y; }`) opens and closes at once.
    const closesToo =
      /(?:^|;\s*)(?:fi|done|esac)\s*$/.test(line) || (FUNCTION.test(line) && /\}\s*$/.test(line));
    if (opens) {
      if (!closesToo) depth++;
      return;
    }
    if (CLOSER.test(line)) {
      depth = Math.max(0, depth - 1);
      return;
    }
    if (depth === 0 && !BLOCK_WORD.test(line)) last = { text: line, line: index + 1 };
  });
  return last;
}

/** Why the script's last command leaves the shell as PID 1, or undefined when it execs. */
export function missingExec(script: string): ScriptCommand | undefined {
  const last = lastTopLevelCommand(script);
  if (!last) return undefined;
  const command = last.text.split(/;|&&/).at(-1)?.trim() ?? '';
  if (/^exec\s/.test(command) || /^exit\b/.test(command)) return undefined;
  return last;
}
