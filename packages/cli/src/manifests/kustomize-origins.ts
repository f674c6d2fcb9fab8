/**
 * Rendered kustomize objects traced back to the files a person edits. kustomize's origin
 * annotation names the file that declares an object, and its transformer annotation the
 * kustomizations whose patches ran over it; the rest is found here: the object in that file (by
 * kind, then name), the patches of those kustomizations that target it, and for a path inside the
 * object the one of them that writes it.
 *
 * A value is placed in the last patch that sets it; a mapping or list (a container, a pod spec) in
 * the declaring file, which declares it, when that holds it; else in the last patch that holds all
 * of the path; else wherever the longest part of the path is written, the declaring file on a tie.
 * So a grace period an overlay lowers points at its patch, and a missing preStop at the container
 * in the base (as in a plain file), not at a patch that only adds an env variable to it.
 */
import { dirname, join } from 'node:path';
import { getString, isObject, type JsonObject, type Path } from '../model/json.js';
import { type KubeObject, objectsOf } from './objects.js';
import type { SourceOrigin } from './origin.js';
import { lineCounterOf, type ParsedSource, parseSource, positionAt } from './parse.js';
import { PositionTable } from './positions.js';

export interface KustomizeOrigin {
  /** The file that declares the object, or the kustomization whose generator made it. */
  readonly file: string;
  readonly generated: boolean;
  /** The kustomization files whose patches ran over the object, in the order they ran. */
  readonly patchedIn: readonly string[];
}

/** A place in a user's file, as an offset. */
interface Spot {
  readonly source: ParsedSource;
  readonly offset: number;
}

/** A document of the rendered output: where it starts there, and what kustomize said of it. */
export interface RenderedDocument {
  readonly start: number;
  readonly origin: KustomizeOrigin | undefined;
}

/** A value written in a file, and how to find the offset of a path inside it. */
interface Written {
  readonly value: unknown;
  readonly source: ParsedSource;
  offsetOf(path: Path): number;
}

/** One patch of a kustomization: what it targets and what it writes. */
interface Patch {
  readonly target: { readonly kind?: string; readonly name?: string } | undefined;
  /** Strategic merge patches (objects) or one JSON 6902 operation list. */
  readonly documents: readonly Written[];
}

interface SourceFile {
  readonly name: string;
  readonly text: string;
}

/** Reads a file; undefined when unreadable. Each file is read once however many objects name it. */
export type ReadSource = (file: string) => Promise<SourceFile | undefined>;

/** Traces rendered documents to their files; one per lint run, so a shared base is read once. */
export class OriginFinder {
  private readonly texts = new Map<string, Promise<SourceFile | undefined>>();
  private readonly parsed = new Map<string, ParsedSource | undefined>();
  private readonly patches = new Map<string, Promise<Patch[]>>();

  constructor(private readonly read: ReadSource) {}

  /**
   * Where the paths of one render's documents are written. Files are read here, before linting;
   * a declaring file is parsed only when a finding is placed in it: most objects never are, and a
   * repository of CRDs declares megabytes of them.
   */
  async sourceOrigin(renderedBy: string, documents: readonly RenderedDocument[]): Promise<SourceOrigin> {
    const traced = await Promise.all(
      documents.map(async ({ origin }) => {
        if (!origin) return undefined;
        const declaring = await this.text(origin.file);
        const patches = origin.generated
          ? []
          : (await Promise.all(origin.patchedIn.map((file) => this.patchesOf(file)))).flat();
        return declaring && { origin, declaring, patches };
      }),
    );
    const files = new Map<string, string>();
    for (const t of traced) {
      if (!t) continue;
      files.set(t.declaring.name, t.declaring.text);
      for (const patch of t.patches) for (const d of patch.documents) files.set(d.source.name, d.source.text);
    }
    const starts = documents.map((d) => d.start);
    const place = (documentStart: number, document: unknown, path: Path) => {
      const index = starts.findLastIndex((start) => start <= documentStart);
      const t = traced[index];
      if (!t || !isObject(document)) return undefined;
      const source = this.parse(t.declaring);
      if (!source) return undefined;
      const spot = t.origin.generated
        ? { source, offset: firstDocumentStart(source) }
        : this.spotIn(source, document, t.patches, path);
      return (
        spot && {
          source: { name: spot.source.name, text: spot.source.text },
          position: positionAt(spot.source.lineCounter, spot.offset),
        }
      );
    };
    return { renderedBy, files, place };
  }

  private spotIn(
    source: ParsedSource,
    rendered: JsonObject,
    patches: readonly Patch[],
    path: Path,
  ): Spot | undefined {
    const kind = typeof rendered.kind === 'string' ? rendered.kind : '';
    const name = getString(rendered, ['metadata', 'name']) ?? '';
    const declared = declaringObject(kind, name, objectsOf(source).objects);
    if (!declared) return undefined;
    const writers: Written[] = [
      {
        value: declared.value,
        source,
        offsetOf: (at) => declared.positions.offsetOf([...declared.prefix, ...at]),
      },
      ...patches
        .filter((patch) => targets(patch, kind, declared.name, name))
        .flatMap((patch) => patch.documents),
    ];
    return placeIn(rendered, path, writers);
  }

  private text(file: string): Promise<SourceFile | undefined> {
    let text = this.texts.get(file);
    if (!text) {
      text = this.read(file);
      this.texts.set(file, text);
    }
    return text;
  }

  private parse(file: SourceFile): ParsedSource | undefined {
    if (!this.parsed.has(file.name)) this.parsed.set(file.name, parseSource(file, false).parsed);
    return this.parsed.get(file.name);
  }

  private async source(file: string): Promise<ParsedSource | undefined> {
    const text = await this.text(file);
    return text && this.parse(text);
  }

  private patchesOf(kustomization: string): Promise<Patch[]> {
    let patches = this.patches.get(kustomization);
    if (!patches) {
      patches = this.loadPatches(kustomization);
      this.patches.set(kustomization, patches);
    }
    return patches;
  }

  /** `patches`, and the older `patchesStrategicMerge` and `patchesJson6902`, of a kustomization. */
  private async loadPatches(kustomization: string): Promise<Patch[]> {
    const source = await this.source(kustomization);
    const document = source?.documents[0];
    if (!source || !document || !isObject(document.value)) return [];
    const table = new PositionTable(document.value, document.offsets, document.start);
    const entries = (['patches', 'patchesStrategicMerge', 'patchesJson6902'] as const).flatMap((key) => {
      const list = (document.value as JsonObject)[key];
      return Array.isArray(list)
        ? list.map((entry, index) => ({
            entry: typeof entry === 'string' ? { path: entry } : entry,
            at: [key, index],
          }))
        : [];
    });
    const patches: Patch[] = [];
    for (const { entry, at } of entries) {
      if (!isObject(entry)) continue;
      const target = isObject(entry.target)
        ? {
            ...(typeof entry.target.kind === 'string' ? { kind: entry.target.kind } : {}),
            ...(typeof entry.target.name === 'string' ? { name: entry.target.name } : {}),
          }
        : undefined;
      if (typeof entry.path === 'string') {
        const file = await this.source(join(dirname(kustomization), entry.path));
        if (file) patches.push({ target, documents: writtenDocuments(file) });
      } else if (typeof entry.patch === 'string') {
        const key = table.offsetOf([...at, 'patch']);
        const inFile = literalBlockOffsets(source, key, entry.patch);
        const inline = parseSource({ name: kustomization, text: entry.patch }, false).parsed;
        const documents = (inline ? writtenDocuments(inline) : []).map((d) => ({
          ...d,
          source,
          offsetOf: (path: Path) => (inFile ? inFile(d.offsetOf(path)) : key),
        }));
        patches.push({ target, documents });
      }
    }
    return patches;
  }
}

/**
 * For an inline patch written as a literal block scalar (`patch: |-`), which keeps its lines as
 * written, offsets in the patch text mapped to the kustomization file; undefined for other styles,
 * whose findings point at the `patch:` key.
 */
function literalBlockOffsets(
  source: ParsedSource,
  key: number,
  inner: string,
): ((offset: number) => number) | undefined {
  const { text, lineCounter } = source;
  const headerEnd = text.indexOf('\n', key);
  if (headerEnd === -1 || !/:\s*\|[-+0-9]*\s*(?:#.*)?$/.test(text.slice(key, headerEnd))) return undefined;
  const body = headerEnd + 1;
  const indent = /^ */.exec(text.slice(body, body + 200))?.[0].length ?? 0;
  const firstLine = lineCounter.linePos(body).line - 1;
  const innerLines = lineCounterOf(inner);
  return (offset) => {
    const { line, col } = innerLines.linePos(offset);
    const start = lineCounter.lineStarts[firstLine + line - 1];
    return start === undefined ? key : start + indent + col - 1;
  };
}

function firstDocumentStart(source: ParsedSource): number {
  return source.documents[0]?.start ?? 0;
}

function writtenDocuments(source: ParsedSource): Written[] {
  return source.documents.flatMap((document) => {
    if (document.value === undefined || document.value === null) return [];
    const table = new PositionTable(document.value, document.offsets, document.start);
    return [{ value: document.value, source, offsetOf: (path: Path) => table.offsetOf(path) }];
  });
}

/** The object in its declaring file: the only one of its kind, else the one whose name it carries. */
function declaringObject(
  kind: string,
  name: string,
  candidates: readonly KubeObject[],
): KubeObject | undefined {
  const sameKind = candidates.filter((c) => c.kind === kind);
  if (sameKind.length <= 1) return sameKind[0];
  const exact = sameKind.find((c) => c.name === name);
  if (exact) return exact;
  // A name prefix or suffix (namePrefix, nameSuffix) keeps the declared name inside the rendered one.
  const inside = sameKind.filter((c) => name.includes(c.name));
  return inside.sort((a, b) => b.name.length - a.name.length)[0] ?? sameKind[0];
}

/** Whether a patch applies to an object of `kind`, declared as `declared` and rendered as `rendered`. */
function targets(patch: Patch, kind: string, declared: string, rendered: string): boolean {
  const matches = (wantedKind: unknown, wantedName: unknown) =>
    (typeof wantedKind !== 'string' || wantedKind === kind) &&
    (typeof wantedName !== 'string' || nameMatches(wantedName, declared, rendered));
  if (patch.target) return matches(patch.target.kind, patch.target.name);
  return patch.documents.some(
    ({ value }) =>
      isObject(value) && matches(value.kind, isObject(value.metadata) ? value.metadata.name : undefined),
  );
}

/**
 * A target name is an anchored regular expression in kustomize; a patch may name the object before
 * a later prefix or suffix (`sg-worker` of a rendered `prod-sg-worker`), but always with its whole
 * declared name in it: `worker` names no `precise-code-intel-worker` (Sourcegraph's size patches).
 */
function nameMatches(wanted: string, declared: string, rendered: string): boolean {
  if (rendered.includes(wanted) && wanted.includes(declared)) return true;
  try {
    const pattern = new RegExp(`^(?:${wanted})$`);
    return pattern.test(declared) || pattern.test(rendered);
  } catch {
    return false;
  }
}

/** Where `path` of the rendered value is written, by the rule in this module's header. */
function placeIn(rendered: unknown, path: Path, writers: readonly Written[]): Spot {
  const [declared, ...patches] = writers as [Written, ...Written[]];
  const found = [declared, ...patches].map((writer) => ({ writer, ...pathIn(rendered, path, writer.value) }));
  const [own, ...patched] = found as [(typeof found)[number], ...typeof found];
  const lastPatch = patched.filter((f) => f.complete).at(-1);
  const value = valueAt(rendered, path);
  // A list item's `name` is the key patches merge by, not a value they set: it names the item.
  const mergeKey = path.at(-1) === 'name' && typeof path.at(-2) === 'number';
  const scalar = (typeof value !== 'object' || value === null) && !mergeKey;
  const best =
    (scalar && lastPatch) ||
    (own.complete ? own : lastPatch) ||
    found.reduce((deepest, f) => (f.depth > deepest.depth ? f : deepest));
  return { source: best.writer.source, offset: best.writer.offsetOf(best.path) };
}

/**
 * `path` of the rendered value, followed through `written` (a patch or the declaring object): a
 * list item is the one of the same `name` (containers merge by name), or at the same index. For a
 * JSON 6902 operation list, the operation whose path leads there, then into its value.
 */
interface Followed {
  /** The path inside the written value. */
  readonly path: Path;
  /** How many steps of the rendered path it holds. */
  readonly depth: number;
  readonly complete: boolean;
}

function pathIn(rendered: unknown, path: Path, written: unknown): Followed {
  if (Array.isArray(written) && written.every((op) => isObject(op) && typeof op.op === 'string'))
    return operationPath(rendered, path, written as JsonObject[]);
  return follow(rendered, path, written);
}

function follow(rendered: unknown, path: Path, written: unknown): Followed {
  const out: (string | number)[] = [];
  let here = rendered;
  let there = written;
  for (const step of path) {
    let next: string | number | undefined;
    if (Array.isArray(there) && typeof step === 'number') {
      const item = Array.isArray(here) ? here[step] : undefined;
      const name = isObject(item) && typeof item.name === 'string' ? item.name : undefined;
      const index =
        name === undefined
          ? step < there.length
            ? step
            : -1
          : there.findIndex((t) => isObject(t) && t.name === name);
      if (index >= 0) next = index;
    } else if (isObject(there) && typeof step === 'string' && Object.hasOwn(there, step)) next = step;
    if (next === undefined) return { path: out, depth: out.length, complete: false };
    out.push(next);
    here =
      Array.isArray(here) || isObject(here) ? (here as Record<string | number, unknown>)[step] : undefined;
    there = (there as Record<string | number, unknown>)[next];
  }
  return { path: out, depth: out.length, complete: true };
}

/** The add or replace operation that writes `path` (or an ancestor of it), then into its value. */
function operationPath(rendered: unknown, path: Path, operations: readonly JsonObject[]): Followed {
  let best: Followed = { path: [], depth: 0, complete: false };
  operations.forEach((operation, index) => {
    // `/containers/-` appends: it wrote the rendered item of the same name (a sidecar a component adds).
    const stepMatches = (step: string, i: number) => {
      if (step === String(path[i])) return true;
      const item = valueAt(rendered, path.slice(0, i + 1));
      return (
        step === '-' &&
        typeof path[i] === 'number' &&
        isObject(item) &&
        isObject(operation.value) &&
        typeof item.name === 'string' &&
        item.name === operation.value.name
      );
    };
    if ((operation.op !== 'add' && operation.op !== 'replace') || typeof operation.path !== 'string') return;
    const pointer = operation.path
      .split('/')
      .slice(1)
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    if (pointer.length > path.length || !pointer.every((step, i) => stepMatches(step, i))) return;
    const below = path.slice(pointer.length);
    const inside = follow(valueAt(rendered, path.slice(0, pointer.length)), below, operation.value);
    const found = {
      path: [index, 'value', ...inside.path],
      depth: pointer.length + inside.depth,
      complete: inside.complete,
    };
    // Later operations win, as they are applied later.
    if (found.complete || (!best.complete && found.depth >= best.depth)) best = found;
  });
  return best;
}

function valueAt(value: unknown, path: Path): unknown {
  let here = value;
  for (const step of path)
    here =
      Array.isArray(here) || isObject(here) ? (here as Record<string | number, unknown>)[step] : undefined;
  return here;
}
