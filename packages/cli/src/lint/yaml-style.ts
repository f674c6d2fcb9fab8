/**
 * Writing a fixed document back in the style it was written in. `yaml` re-serialises a whole
 * document with one indent, one sequence style and one flow padding, so `fix` measures what the
 * document uses (kubectl writes `- ` level with its key; Helm charts mostly indent it) and puts
 * back every line whose only change would be flow padding.
 */
import type { ToStringOptions } from 'yaml';

/** A line that opens a block collection: a key with nothing after the colon but a comment. */
const OPENER = /^( *)((?:- +)*)[^\s#][^#]*?:[ \t]*(?:#.*)?$/;
const FLOW_PADDED = /[{[] +[^\s}\]]/g;
const FLOW_TIGHT = /[{[][^\s}\]]/g;

export function styleOf(
  text: string,
): Pick<ToStringOptions, 'indent' | 'indentSeq' | 'flowCollectionPadding'> {
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  const steps = new Map<number, number>();
  let indentedSeqs = 0;
  let levelSeqs = 0;
  lines.forEach((line, index) => {
    const opener = OPENER.exec(line);
    const next = lines[index + 1];
    if (!opener || next === undefined) return;
    const keyColumn = (opener[1] ?? '').length + (opener[2] ?? '').length;
    const childColumn = next.length - next.trimStart().length;
    if (next.trimStart().startsWith('- ')) {
      if (childColumn === keyColumn) levelSeqs++;
      else if (childColumn > keyColumn) indentedSeqs++;
    }
    if (childColumn > keyColumn)
      steps.set(childColumn - keyColumn, (steps.get(childColumn - keyColumn) ?? 0) + 1);
  });
  const indent = [...steps].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 2;
  const padded = text.match(FLOW_PADDED)?.length ?? 0;
  const tight = text.match(FLOW_TIGHT)?.length ?? 0;
  return { indent, indentSeq: indentedSeqs >= levelSeqs, flowCollectionPadding: padded > tight };
}

const unpadded = (line: string) => line.replace(/([{[]) +/g, '$1').replace(/ +([}\]])/g, '$1');

/** `written` with each line that differs from a line of `original` only in flow padding put back. */
export function keepFlowPadding(original: string, written: string): string {
  const originals = new Map<string, string>();
  for (const line of original.split('\n')) {
    const key = unpadded(line);
    if (!originals.has(key)) originals.set(key, line);
  }
  return written
    .split('\n')
    .map((line) => originals.get(unpadded(line)) ?? line)
    .join('\n');
}
