import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatch, createTwoFilesPatch } from 'diff';
import { seededRandom } from '../cluster/propagation.js';
import { applyEdits, type LineEdit, unifiedDiff, wholeLines } from './line-edits.js';

const file = Array.from({ length: 300 }, (_, i) => `line ${i + 1}`).join('\n');

/** Random whole-line edits in file order, some close enough for their context to meet. */
function randomEdits(source: string, next: () => number): LineEdit[] {
  const starts = [0];
  for (let at = source.indexOf('\n'); at !== -1; at = source.indexOf('\n', at + 1)) starts.push(at + 1);
  const edits: LineEdit[] = [];
  for (let line = Math.floor(next() * 6); line < starts.length; line += 1 + Math.floor(next() * 25)) {
    const removed = Math.floor(next() * 3);
    const end = starts[Math.min(line + removed, starts.length)] ?? source.length;
    const added = Array.from({ length: Math.floor(next() * 4) }, (_, i) => `new ${line}.${i}\n`).join('');
    edits.push({ start: starts[line] as number, end, text: added });
    line += removed;
  }
  return edits;
}

describe('line edits', () => {
  it('widens a replacement to the whole lines it touches', () => {
    const source = 'a: 1\n--- b: 2\nc: 3\n';
    const start = source.indexOf('b');
    assert.deepEqual(wholeLines(source, start, source.indexOf('\nc'), 'b: 9'), {
      start: source.indexOf('---'),
      end: source.indexOf('c'),
      text: '--- b: 9\n',
    });
  });

  it('prints exactly the patch of diffing the whole file, for random edits near and far apart', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const source = seed % 2 ? file : `${file}\n`; // with and without a final newline
      const edits = randomEdits(source, seededRandom(seed));
      const after = applyEdits(source, edits);
      const expected = createTwoFilesPatch('f.yaml', 'f.yaml', source, after, '', '');
      assert.equal(
        unifiedDiff('f.yaml', source, edits),
        expected.endsWith('\n') ? expected : `${expected}\n`,
      );
      assert.equal(applyPatch(source, unifiedDiff('f.yaml', source, edits)), after, `seed ${seed}`);
    }
  });
});
