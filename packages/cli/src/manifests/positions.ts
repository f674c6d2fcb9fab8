/**
 * Where every node of a loaded document starts, as a flat table of offsets that can cross a
 * worker thread (one Int32Array) instead of the yaml library's node tree, which cannot.
 *
 * The table is the document's plain value walked in pre-order (object keys in `Object.keys`
 * order, array items by index): the root first, then for each child the offset of its key (a
 * mapping entry: that is where a person looks) or of the item (a sequence), followed by the
 * child's own entries. -1 means "not known"; lookups then fall back to the nearest ancestor.
 * Recording needs the yaml document; looking up needs only the value and the table.
 */
import { type Document, isAlias, isMap, isNode, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { isObject, type JsonObject, type Path } from '../model/json.js';

const UNKNOWN = -1;

/** A growable list of offsets for one parsed text (a file, or a segment of one); its documents take views of it. */
export class OffsetWriter {
  private buffer = new Int32Array(1024);
  length = 0;

  /** `base`: where the parsed text starts in its file, so offsets are the file's. */
  constructor(private readonly base = 0) {}

  push(offset: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Int32Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = offset === UNKNOWN ? UNKNOWN : this.base + offset;
  }

  /** Rewinds to `length`, dropping what was pushed after it (a document that cannot be tabled). */
  truncate(length: number): void {
    this.length = length;
  }

  /** The final buffer and views of it per [from, to): one ArrayBuffer to transfer between threads. */
  finish(ranges: readonly (readonly [number, number])[]): Int32Array[] {
    const exact = this.buffer.slice(0, this.length);
    return ranges.map(([from, to]) => exact.subarray(from, to));
  }
}

/** Array-index-like keys are enumerated first by JavaScript, not in YAML order. */
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

function startOf(node: unknown): number {
  return isNode(node) && node.range ? node.range[0] : UNKNOWN;
}

/** A mapping entry starts at its key; an entry with an empty key at its value. */
function entryStart(pair: Pair): number {
  const key = startOf(pair.key);
  return key === UNKNOWN ? startOf(pair.value) : key;
}

/**
 * Records the offsets of `value` (the document's `toJS()`) into `writer`. Returns false, leaving
 * the writer as it was, when the value is cyclic (a recursive alias): such a document gets no table.
 */
export function recordPositions(document: Document.Parsed, value: unknown, writer: OffsetWriter): boolean {
  const mark = writer.length;
  const ancestors = new Set<object>();
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(document) : node);

  // The value drives the walk, so the table always has exactly one entry per value node; the yaml
  // node only supplies offsets, and only where it provably corresponds to the value.
  const walk = (current: unknown, node: unknown): boolean => {
    if (typeof current !== 'object' || current === null) return true;
    if (ancestors.has(current)) return false;
    ancestors.add(current);
    if (Array.isArray(current)) {
      const items = isSeq(node) && node.items.length === current.length ? node.items : undefined;
      for (let index = 0; index < current.length; index++) {
        writer.push(startOf(items?.[index]));
        if (!walk(current[index], resolve(items?.[index]))) return false;
      }
    } else if (isObject(current)) {
      const keys = Object.keys(current);
      const pairs = correspondingPairs(node, keys);
      for (let index = 0; index < keys.length; index++) {
        const pair = pairs?.[index];
        writer.push(pair ? entryStart(pair) : UNKNOWN);
        if (!walk(current[keys[index] as string], resolve(pair?.value))) return false;
      }
    }
    ancestors.delete(current);
    return true;
  };

  writer.push(startOf(document.contents));
  if (walk(value, resolve(document.contents))) return true;
  writer.truncate(mark);
  return false;
}

/**
 * The mapping's pairs in the value's key order, when that order is provably the YAML order: as
 * many pairs as keys (no merge key, no two keys that became one string) and no array-index keys.
 */
function correspondingPairs(node: unknown, keys: readonly string[]): readonly Pair[] | undefined {
  if (!isMap(node) || node.items.length !== keys.length) return undefined;
  if (keys.some((key) => ARRAY_INDEX.test(key))) return undefined;
  if (node.items.some((pair) => isScalar(pair.key) && pair.key.value === '<<')) return undefined;
  return node.items as Pair<Node, Node>[];
}

/** Looks up offsets in a recorded table, given the same value it was recorded from. */
export class PositionTable {
  /** Per collection: where each child's entry starts, relative to the collection's own entry. */
  private readonly starts = new WeakMap<object, Int32Array>();
  private readonly sizes = new WeakMap<object, number>();

  /** `offsets` undefined: every lookup answers `fallback` (the document's start). */
  constructor(
    private readonly root: unknown,
    private readonly offsets: Int32Array | undefined,
    private readonly fallback: number,
  ) {}

  /** The offset of the node at `path`, or of its nearest ancestor whose offset is known. */
  offsetOf(path: Path): number {
    const offsets = this.offsets;
    if (!offsets) return this.fallback;
    let best = (offsets[0] ?? UNKNOWN) >= 0 ? (offsets[0] as number) : this.fallback;
    let entry = 0;
    let current = this.root;
    for (const step of path) {
      const index = childIndex(current, step);
      if (index === UNKNOWN) break;
      entry += 1 + (this.childStarts(current as object)[index] as number);
      current = childAt(current, index);
      const offset = offsets[entry] ?? UNKNOWN;
      if (offset >= 0) best = offset;
    }
    return best;
  }

  private childStarts(collection: object): Int32Array {
    let starts = this.starts.get(collection);
    if (starts) return starts;
    const children = childrenOf(collection);
    starts = new Int32Array(children.length);
    let next = 0;
    for (let index = 0; index < children.length; index++) {
      starts[index] = next;
      next += 1 + this.entriesBelow(children[index]);
    }
    this.starts.set(collection, starts);
    return starts;
  }

  /** How many table entries a value's descendants take. */
  private entriesBelow(value: unknown): number {
    if (typeof value !== 'object' || value === null) return 0;
    const cached = this.sizes.get(value);
    if (cached !== undefined) return cached;
    let size = 0;
    for (const child of childrenOf(value)) size += 1 + this.entriesBelow(child);
    this.sizes.set(value, size);
    return size;
  }
}

function childrenOf(value: object): readonly unknown[] {
  if (Array.isArray(value)) return value;
  return isObject(value) ? Object.values(value) : [];
}

function childIndex(value: unknown, step: string | number): number {
  if (Array.isArray(value))
    return typeof step === 'number' && step >= 0 && step < value.length ? step : UNKNOWN;
  return isObject(value) ? Object.keys(value).indexOf(String(step)) : UNKNOWN;
}

function childAt(value: unknown, index: number): unknown {
  if (Array.isArray(value)) return value[index];
  return (value as JsonObject)[Object.keys(value as JsonObject)[index] as string];
}
