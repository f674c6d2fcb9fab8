/**
 * Parsed documents to Kubernetes objects: `kind: List` flattened, each object holding its plain
 * value for the model and a way back to its exact source position.
 */
import { getString, isObject, type JsonObject, type Path } from '../model/json.js';
import { InputError, type SourcePosition } from '../output/errors.js';
import { kindOutsideGroup, misspeltKind } from './kinds.js';
import type { Placement } from './origin.js';
import { type ParsedSource, positionAt } from './parse.js';
import { PositionTable } from './positions.js';

export interface KubeObject {
  readonly source: ParsedSource;
  readonly documentIndex: number;
  /** Where the object sits inside its document: [] or ['items', n] for a List. */
  readonly prefix: Path;
  /** Offsets of the document's nodes. */
  readonly positions: PositionTable;
  readonly value: JsonObject;
  readonly kind: string;
  readonly apiVersion: string | undefined;
  readonly name: string;
  readonly namespace: string | undefined;
}

export function objectsOf(source: ParsedSource): { objects: KubeObject[]; errors: InputError[] } {
  const objects: KubeObject[] = [];
  const errors: InputError[] = [];
  source.documents.forEach(({ start, value, offsets, problem }, documentIndex) => {
    if (problem || value === null || value === undefined) return;
    if (!isObject(value)) {
      // Other tools' YAML (an operator's watches.yaml, a playbook) is no concern of ours; a
      // sequence of Kubernetes objects is one kubectl refuses.
      if (
        !Array.isArray(value) ||
        !value.some(
          (item) => isObject(item) && typeof item.kind === 'string' && typeof item.apiVersion === 'string',
        )
      )
        return;
      errors.push(
        new InputError(
          'document is a sequence, not a Kubernetes object (expected a mapping with apiVersion and kind)',
          source.name,
          positionAt(source.lineCounter, start),
        ),
      );
      return;
    }
    const positions = new PositionTable(value, offsets, start);
    const add = (object: JsonObject, prefix: Path) => {
      // Configuration files that are not Kubernetes objects (no apiVersion and kind) are not ours.
      if (typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') return;
      const meant = misspeltKind(object.kind, object.apiVersion);
      const outside = kindOutsideGroup(object.kind, object.apiVersion);
      if (meant !== undefined || outside !== undefined) {
        const at = positionAt(source.lineCounter, positions.offsetOf([...prefix, 'kind']));
        errors.push(
          meant === undefined
            ? new InputError(outside as string, source.name, at, 'check the kind and apiVersion')
            : new InputError(
                `kind "${object.kind}" is not a Kubernetes kind`,
                source.name,
                at,
                `did you mean ${meant}?`,
              ),
        );
        return;
      }
      objects.push({
        source,
        documentIndex,
        prefix,
        positions,
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
 * The position of `path` inside the object (the key of a mapping entry), or of its nearest
 * ancestor that exists, so a finding about a missing field points at the place it belongs.
 */
export function locate(object: KubeObject, path: Path): SourcePosition {
  return positionAt(object.source.lineCounter, object.positions.offsetOf([...object.prefix, ...path]));
}

/**
 * The file and position a person edits for `path` of the object: in rendered output, the file it
 * was written in (a Helm template); elsewhere, as `locate`.
 */
export function place(object: KubeObject, path: Path): Placement {
  const { source } = object;
  const document = source.documents[object.documentIndex];
  const placed =
    document && source.origin?.place(document.start, document.value, [...object.prefix, ...path]);
  return placed ?? { source, position: locate(object, path) };
}
