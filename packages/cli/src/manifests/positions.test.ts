import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Document, isMap, isNode, isPair, isScalar, parseAllDocuments } from 'yaml';
import type { Path } from '../model/json.js';
import { pathsOf } from '../testing/helpers.js';
import { OffsetWriter, PositionTable, recordPositions } from './positions.js';

/** The reference: walk the yaml node tree itself (a mapping entry is found at its key). */
function nodeOffset(document: Document.Parsed, path: Path): number | undefined {
  let node: unknown = document.contents;
  let offset = isNode(node) ? node.range?.[0] : undefined;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === step);
      if (!isPair(pair) || !isNode(pair.key)) return undefined;
      offset = pair.key.range?.[0];
      node = pair.value;
    } else if (isNode(node) && 'items' in node && Array.isArray(node.items)) {
      const item: unknown = node.items[step as number];
      offset = isNode(item) ? item.range?.[0] : undefined;
      node = item;
    } else return undefined;
  }
  return offset;
}

function table(text: string, index = 0) {
  const document = parseAllDocuments(text)[index] as Document.Parsed;
  const value = document.toJS();
  const writer = new OffsetWriter();
  const recorded = recordPositions(document, value, writer);
  const [offsets] = writer.finish(recorded ? [[0, writer.length]] : []);
  return { document, value, positions: new PositionTable(value, offsets, -2) };
}

const examples = fileURLToPath(new URL('../../../../examples/', import.meta.url));
const corpus = fileURLToPath(new URL('../../test/corpus/', import.meta.url));

describe('position tables', () => {
  it('agree with the yaml node tree on every path of the examples and the corpus', () => {
    const files = [
      ...readdirSync(corpus)
        .filter((name) => name.endsWith('.yaml'))
        .map((name) => corpus + name),
      ...readdirSync(examples, { recursive: true, encoding: 'utf8' })
        .filter((name) => /\.ya?ml$/.test(name) && !name.includes('node_modules'))
        .map((name) => examples + name),
    ];
    let checked = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      parseAllDocuments(text).forEach((document, index) => {
        if (document.errors.length > 0 || document.contents === null) return;
        const { value, positions } = table(text, index);
        for (const path of pathsOf(value)) {
          assert.equal(positions.offsetOf(path), nodeOffset(document, path), `${file} ${path.join('.')}`);
          checked++;
        }
      });
    }
    assert.ok(checked > 300, `checked ${checked} paths`);
  });

  it('answers the nearest known ancestor for a path that does not exist', () => {
    const text = 'spec:\n  template:\n    spec:\n      containers: []\n';
    const { positions } = table(text);
    assert.equal(
      positions.offsetOf(['spec', 'template', 'spec', 'terminationGracePeriodSeconds']),
      text.indexOf('spec:', 1),
    );
    assert.equal(
      positions.offsetOf(['spec', 'template', 'spec', 'containers', 3, 'name']),
      text.indexOf('containers'),
    );
  });

  it('points at a key whose value is empty', () => {
    const text = 'a:\n  preStop:\n  b: 1\n';
    assert.equal(table(text).positions.offsetOf(['a', 'preStop']), text.indexOf('preStop'));
  });

  it('follows an alias into the anchored node, and refuses a cyclic value', () => {
    const text = 'base: &b\n  port: 80\ncopy: *b\n';
    const aliased = table(text);
    assert.equal(aliased.positions.offsetOf(['copy']), text.indexOf('copy'));
    assert.equal(aliased.positions.offsetOf(['copy', 'port']), text.indexOf('port'));
    const cyclic = table('a: &x\n  b: *x\n');
    assert.equal(cyclic.positions.offsetOf(['a', 'b']), -2, 'no table: the document start');
  });

  it('keeps keys that JavaScript reorders (array indexes) or merges at their mapping', () => {
    const numeric = table('data:\n  b: 1\n  "8080": 2\n');
    assert.equal(numeric.positions.offsetOf(['data', 'b']), 0, 'the nearest known: data');
    assert.equal(numeric.positions.offsetOf(['data', '8080']), 0);
    const merged = table('%YAML 1.1\n---\nbase: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n');
    assert.equal(merged.positions.offsetOf(['m', 'y']), merged.positions.offsetOf(['m']));
  });
});
