/**
 * Edits to a workload as data. Recommendations produce them; `plan` renders them as a patch that
 * kubectl or kustomize accepts, `fix` writes them into the file, and the plan re-analyses the
 * patched object to prove the result.
 */
import { getIn, isObject, type JsonObject, type Path } from './json.js';
import { podTemplatePath, type WorkloadKind } from './workloads.js';

export interface ContainerRef {
  readonly name: string;
  readonly list: 'containers' | 'initContainers';
  readonly index: number;
}

export type Change =
  | { readonly kind: 'grace'; readonly seconds: number }
  | { readonly kind: 'prestop'; readonly container: ContainerRef; readonly handler: JsonObject }
  | {
      readonly kind: 'rolling-update';
      readonly maxUnavailable: number;
      readonly maxSurge: number | undefined;
      readonly setType: boolean;
    }
  | { readonly kind: 'readiness-probe'; readonly container: ContainerRef; readonly probe: JsonObject }
  /** An annotation on the pod template (e.g. Istio's proxy.istio.io/config), replaced whole. */
  | { readonly kind: 'pod-annotation'; readonly key: string; readonly value: string };

/** One value written at one path of the object; the value replaces whatever was there. */
export interface Assignment {
  readonly path: Path;
  readonly value: unknown;
}

export function assignments(change: Change, kind: WorkloadKind): Assignment[] {
  const podSpec = [...podTemplatePath(kind), 'spec'];
  switch (change.kind) {
    case 'grace':
      return [{ path: [...podSpec, 'terminationGracePeriodSeconds'], value: change.seconds }];
    case 'prestop':
      return [
        {
          path: [...podSpec, change.container.list, change.container.index, 'lifecycle', 'preStop'],
          value: change.handler,
        },
      ];
    case 'pod-annotation':
      return [
        { path: [...podTemplatePath(kind), 'metadata', 'annotations', change.key], value: change.value },
      ];
    case 'readiness-probe':
      return [
        {
          path: [...podSpec, change.container.list, change.container.index, 'readinessProbe'],
          value: change.probe,
        },
      ];
    case 'rolling-update': {
      const strategy: Path =
        kind === 'Rollout' ? ['spec', 'strategy', 'canary'] : ['spec', 'strategy', 'rollingUpdate'];
      const result: Assignment[] = [];
      if (change.setType) result.push({ path: ['spec', 'strategy', 'type'], value: 'RollingUpdate' });
      result.push({ path: [...strategy, 'maxUnavailable'], value: change.maxUnavailable });
      if (change.maxSurge !== undefined)
        result.push({ path: [...strategy, 'maxSurge'], value: change.maxSurge });
      return result;
    }
  }
}

/** A copy of `object` with the changes written in; `object` itself is left alone. */
export function applyChanges(object: JsonObject, kind: WorkloadKind, changes: readonly Change[]): JsonObject {
  const copy = structuredClone(object);
  for (const change of changes) {
    for (const { path, value } of assignments(change, kind)) setIn(copy, path, structuredClone(value));
  }
  return copy;
}

function setIn(root: JsonObject, path: Path, value: unknown): void {
  let current: unknown = root;
  path.forEach((key, i) => {
    const last = i === path.length - 1;
    const container = current as Record<string | number, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    if (typeof container[key] !== 'object' || container[key] === null) {
      container[key] = typeof path[i + 1] === 'number' ? [] : {};
    }
    current = container[key];
  });
}

export type Patch =
  | { readonly type: 'strategic'; readonly content: JsonObject }
  | { readonly type: 'json'; readonly content: JsonPatchOperation[] };

export interface JsonPatchOperation {
  readonly op: 'add' | 'replace';
  readonly path: string;
  readonly value: unknown;
}

/**
 * kubectl and kustomize merge built-in kinds strategically (containers matched by name). Custom
 * resources such as Argo Rollouts get no strategic merge, and a JSON merge patch would replace the
 * whole containers list, so they get an RFC 6902 JSON patch instead.
 */
export function patchFor(
  object: JsonObject,
  kind: WorkloadKind,
  changes: readonly Change[],
): Patch | undefined {
  if (changes.length === 0) return undefined;
  return kind === 'Rollout'
    ? { type: 'json', content: jsonPatch(object, kind, changes) }
    : { type: 'strategic', content: strategicMergePatch(object, kind, changes) };
}

function strategicMergePatch(object: JsonObject, kind: WorkloadKind, changes: readonly Change[]): JsonObject {
  const patch: JsonObject = {};
  for (const change of changes) {
    for (const { path, value } of assignments(change, kind)) {
      let target = patch;
      for (let i = 0; i < path.length - 1; i++) {
        const key = path[i] as string | number;
        const next = path[i + 1];
        if (typeof next === 'number') {
          // A container list: strategic merge matches entries by name.
          const name = containerName(object, path.slice(0, i + 2));
          const list = child(target, key, () => []) as JsonObject[];
          const entry = list.find((e) => e.name === name) ?? { name };
          if (!list.includes(entry)) list.push(entry);
          target = entry;
          i++;
        } else {
          target = child(target, key, () => ({})) as JsonObject;
        }
      }
      const leaf = path[path.length - 1] as string;
      const replacing = isObject(value) && isObject(getIn(object, path));
      // Without $patch: replace, a new preStop handler would be merged beside the old one (two handlers: invalid).
      target[leaf] = replacing ? { $patch: 'replace', ...value } : value;
    }
  }
  return patch;
}

function child(parent: JsonObject, key: string | number, make: () => unknown): unknown {
  const name = String(key);
  if (parent[name] === undefined) parent[name] = make();
  return parent[name];
}

function containerName(object: JsonObject, containerPath: Path): string {
  const name = getIn(object, [...containerPath, 'name']);
  return typeof name === 'string' ? name : String(containerPath[containerPath.length - 1]);
}

function jsonPatch(object: JsonObject, kind: WorkloadKind, changes: readonly Change[]): JsonPatchOperation[] {
  const operations: JsonPatchOperation[] = [];
  // Each operation sees the object as the previous ones left it, as the API server applies them.
  const patched = structuredClone(object);
  for (const change of changes) {
    for (const { path, value } of assignments(change, kind)) {
      // "add" needs an existing parent: add the first missing level with the rest nested inside it.
      let depth = 0;
      while (depth < path.length - 1 && getIn(patched, path.slice(0, depth + 1)) !== undefined) depth++;
      const exists = getIn(patched, path) !== undefined;
      const nested = path.slice(depth + 1).reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
      operations.push({
        op: exists ? 'replace' : 'add',
        path: pointer(exists ? path : path.slice(0, depth + 1)),
        value: exists ? value : nested,
      });
      setIn(patched, path, structuredClone(value));
    }
  }
  return operations;
}

function pointer(path: Path): string {
  return path.map((key) => `/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
