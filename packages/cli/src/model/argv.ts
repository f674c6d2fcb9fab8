/** A container's command line as words, and the value of a flag in it. */
import type { JsonObject } from './json.js';

/** The words of a command: each entry (exec-form strings, or a shell-form line) split at whitespace. */
export function commandWords(value: unknown): string[] {
  return Array.isArray(value)
    ? value.flatMap((word) => (typeof word === 'string' ? word.split(/\s+/).filter((w) => w !== '') : []))
    : [];
}

/** command then args, each entry split at whitespace (a `sh -c` string becomes its words). */
export function containerArgv(container: JsonObject): string[] {
  return [...commandWords(container.command), ...commandWords(container.args)];
}

/** The value after `--flag` or in `--flag=value`. */
export function flagValue(argv: readonly string[], flag: string): string | undefined {
  for (const [i, word] of argv.entries()) {
    if (word === flag) return argv[i + 1];
    if (word.startsWith(`${flag}=`)) return word.slice(flag.length + 1);
  }
  return undefined;
}
