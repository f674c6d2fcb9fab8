/** A container's command line as words, and the value of a flag in it. */
import type { JsonObject } from './json.js';

const words = (value: unknown): string[] =>
  Array.isArray(value) ? value.flatMap((word) => (typeof word === 'string' ? word.split(/\s+/) : [])) : [];

/** command then args, each entry split at whitespace (a `sh -c` string becomes its words). */
export function containerArgv(container: JsonObject): string[] {
  return [...words(container.command), ...words(container.args)];
}

/** The value after `--flag` or in `--flag=value`. */
export function flagValue(argv: readonly string[], flag: string): string | undefined {
  for (const [i, word] of argv.entries()) {
    if (word === flag) return argv[i + 1];
    if (word.startsWith(`${flag}=`)) return word.slice(flag.length + 1);
  }
  return undefined;
}
