/**
 * Parsed documents to Kubernetes objects: `kind: List` flattened, each object holding its plain
 * value for the model and a way back to its exact source position.
 */
import { isCollection, isNode } from 'yaml';
import { getString, isObject, type JsonObject, type Path } from '../model/json.js';
import { InputError, type SourcePosition } from '../output/errors.js';
import { MAX_ALIAS_COUNT, type ParsedSource, positionAt } from './parse.js';

export interface KubeObject {
  readonly source: ParsedSource;
  readonly documentIndex: number;
  /** Where the object sits inside its document: [] or ['items', n] for a List. */
  readonly prefix: Path;
  readonly value: JsonObject;
  readonly kind: string;
  readonly apiVersion: string | undefined;
  readonly name: string;
  readonly namespace: string | undefined;
}

export function objectsOf(source: ParsedSource): { objects: KubeObject[]; errors: InputError[] } {
  const objects: KubeObject[] = [];
  const errors: InputError[] = [];
  source.documents.forEach((document, documentIndex) => {
    if (document.errors.length > 0 || document.contents === null) return;
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const start = document.contents.range?.[0] ?? 0;
      errors.push(
        new InputError(
          `cannot load document: ${(error as Error).message}`,
          source.name,
          positionAt(source.lineCounter, start),
          'remove the excessive aliases or nesting',
        ),
      );
      return;
    }
    if (value === null || value === undefined) return;
    if (!isObject(value)) {
      errors.push(
        new InputError(
          'document is not a Kubernetes object (expected a mapping with apiVersion and kind)',
          source.name,
          positionAt(source.lineCounter, document.contents.range?.[0] ?? 0),
        ),
      );
      return;
    }
    const add = (object: JsonObject, prefix: Path) => {
      // Configuration files that are not Kubernetes objects (no apiVersion and kind) are not ours.
      if (typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') return;
      objects.push({
        source,
        documentIndex,
        prefix,
        value: object,
        kind: getString(object, ['kind']) ?? '',
        apiVersion: getString(object, ['apiVersion']),
        name: getString(object, ['metadata', 'name']) ?? '(unnamed)',
        namespace: getString(object, ['metadata', 'namespace']),
      });
    };
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((item, index) => {
        if (isObject(item)) add(item, ['items', index]);
      });
    } else {
      add(value, []);
    }
  });
  return { objects, errors };
}

/**
 * The position of `path` inside the object, or of its nearest ancestor that exists, so a finding
 * about a missing field points at the place it belongs.
 */
export function locate(object: KubeObject, path: Path): SourcePosition {
  const document = object.source.documents[object.documentIndex];
  const full = [...object.prefix, ...path];
  for (let length = full.length; length >= 0; length--) {
    const node = document?.getIn(full.slice(0, length), true);
    if (isNode(node) && node.range) {
      // Point at the key of a mapping entry when we can: that is where a person looks.
      const parent = length > 0 ? document?.getIn(full.slice(0, length - 1), true) : undefined;
      if (isCollection(parent)) {
        const key = full[length - 1];
        const pair = parent.items.find(
          (item) =>
            isNode((item as { key?: unknown }).key) &&
            (item as { key: { value?: unknown } }).key.value === key,
        ) as { key?: { range?: [number, number, number] } } | undefined;
        const keyRange = pair?.key?.range;
        if (keyRange) return positionAt(object.source.lineCounter, keyRange[0]);
      }
      return positionAt(object.source.lineCounter, node.range[0]);
    }
  }
  return { line: 1, column: 1 };
}
