/**
 * Replacements of whole lines in a file, applied in one pass and shown as a unified diff hunk by
 * hunk. Diffing a whole 10 MB file with thousands of edits is quadratic (Myers' O(N·D)): minutes;
 * each edit's own lines diff in microseconds, and together they make the same patch.
 */
import { formatPatch, type StructuredPatchHunk, structuredPatch } from 'diff';

/** [start, end) of the file, starting and ending on line boundaries, and what replaces it. */
export interface LineEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Widens the replacement of [start, end) to the whole lines it touches. */
export function wholeLines(source: string, start: number, end: number, replacement: string): LineEdit {
  const lineStart = source.lastIndexOf('\n', start - 1) + 1;
  const newline = end > 0 && source[end - 1] === '\n' ? end - 1 : source.indexOf('\n', end);
  const lineEnd = newline === -1 ? source.length : newline + 1;
  return {
    start: lineStart,
    end: lineEnd,
    text: source.slice(lineStart, start) + replacement + source.slice(end, lineEnd),
  };
}

/** `edits` in file order, not overlapping. */
export function applyEdits(source: string, edits: readonly LineEdit[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const edit of edits) {
    parts.push(source.slice(at, edit.start), edit.text);
    at = edit.end;
  }
  parts.push(source.slice(at));
  return parts.join('');
}

function lineCount(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return text.length > 0 && !text.endsWith('\n') ? lines + 1 : lines;
}

/** Lines of unchanged context around each change, as `diff -u` and the `diff` package print. */
const CONTEXT = 4;

/** The start of the line `count` lines above the line that starts at `offset`. */
function linesUp(source: string, offset: number, count: number): number {
  let at = offset;
  for (let i = 0; i < count && at > 0; i++) at = source.lastIndexOf('\n', at - 2) + 1;
  return at;
}

/** The start of the line `count` lines below the line that starts at `offset`. */
function linesDown(source: string, offset: number, count: number): number {
  let at = offset;
  for (let i = 0; i < count && at < source.length; i++) {
    const newline = source.indexOf('\n', at);
    at = newline === -1 ? source.length : newline + 1;
  }
  return at;
}

/**
 * The unified diff of `edits` applied to `source`, as `diff -u` prints it. Each edit is diffed
 * with its context lines around it (edits whose context meets are diffed together), so every hunk
 * carries full context and `patch` applies it anywhere in the file, not only at its end.
 */
export function unifiedDiff(file: string, source: string, edits: readonly LineEdit[]): string {
  const blocks: { start: number; end: number; edits: LineEdit[] }[] = [];
  for (const edit of edits) {
    const start = linesUp(source, edit.start, CONTEXT);
    const end = linesDown(source, edit.end, CONTEXT);
    const last = blocks[blocks.length - 1];
    if (last && start <= last.end) {
      last.end = Math.max(last.end, end);
      last.edits.push(edit);
    } else blocks.push({ start, end, edits: [edit] });
  }
  const hunks: StructuredPatchHunk[] = [];
  let linesBefore = 0;
  let scanned = 0;
  let shift = 0; // lines the earlier blocks added (or removed, negative)
  for (const block of blocks) {
    linesBefore += lineCount(source.slice(scanned, block.start));
    scanned = block.start;
    const old = source.slice(block.start, block.end);
    const local = block.edits.map((e) => ({ ...e, start: e.start - block.start, end: e.end - block.start }));
    const changed = applyEdits(old, local);
    for (const hunk of structuredPatch(file, file, old, changed, '', '', { context: CONTEXT }).hunks) {
      hunks.push({
        ...hunk,
        oldStart: hunk.oldStart + linesBefore,
        newStart: hunk.newStart + linesBefore + shift,
      });
    }
    shift += lineCount(changed) - lineCount(old);
  }
  const patch = formatPatch({ oldFileName: file, newFileName: file, oldHeader: '', newHeader: '', hunks });
  return patch.endsWith('\n') ? patch : `${patch}\n`;
}
