import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectsOf } from './objects.js';
import { cutIntoPieces, type Piece, parseManifestSources } from './parallel-parse.js';

const documents = (count: number, from = 0) =>
  Array.from(
    { length: count },
    (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${from + i}\ndata:\n  key: |\n    text\n`,
  ).join('---\n');

/** The pieces put back together, segment by segment. */
const joined = (texts: readonly string[], pieces: readonly Piece[]) =>
  texts.map((_, source) =>
    pieces
      .flat()
      .filter((segment) => segment.source === source)
      .map(({ start, end }) => (texts[source] as string).slice(start, end))
      .join(''),
  );

describe('cutting manifests into pieces', () => {
  it('covers every character once, in order, cutting only where a document starts', () => {
    const texts = [documents(40), documents(3, 40), '', documents(25, 43)];
    const pieces = cutIntoPieces(texts, 300);
    assert.deepEqual(joined(texts, pieces), texts);
    assert.ok(pieces.length > 10, `${pieces.length} pieces`);
    for (const { source, start } of pieces.flat()) {
      if (start > 0) assert.match((texts[source] as string).slice(start, start + 4), /^---\n/);
    }
  });

  it('groups small files into one piece, and never cuts a file with directives', () => {
    const small = [documents(1), documents(1, 1), documents(1, 2)];
    assert.equal(cutIntoPieces(small, 10_000).length, 1);
    const directive = `%YAML 1.2\n---\n${documents(30)}`;
    const pieces = cutIntoPieces([directive], 100);
    assert.deepEqual(pieces, [[{ source: 0, start: 0, end: directive.length }]]);
  });

  it('does not cut at "---" inside a line or followed by other text', () => {
    const text = `a: |\n  ---\n  x\nb: ---c\n---c: 1\n---\nd: 1\n`;
    const starts = cutIntoPieces([text], 1)
      .flat()
      .map((segment) => segment.start);
    assert.deepEqual(starts, [0, text.indexOf('---\nd')]);
  });
});

describe('parsing on worker threads', () => {
  const text = documents(400);
  const load = async (options: Parameters<typeof parseManifestSources>[1]) => {
    const { parsed, errors } = await parseManifestSources([{ name: 'big.yaml', text }], options);
    return { objects: parsed.flatMap((source) => objectsOf(source).objects.map((o) => o.value)), errors };
  };

  it('loads the same objects as one thread, in file order', async () => {
    const serial = await load({ threads: 1 });
    const parallel = await load({ threads: 2, minimumBytes: 0, pieceBytes: 1000 });
    assert.equal(serial.objects.length, 400);
    assert.deepEqual(parallel, serial);
  });

  it('loses nothing when a worker dies: this thread parses what it left', async () => {
    const serial = await load({ threads: 1 });
    const starved = await load({
      threads: 3,
      minimumBytes: 0,
      pieceBytes: 1000,
      resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 },
    });
    assert.deepEqual(starved, serial);
  });
});
