/**
 * Where in a Helm template a node of the rendered object was written. A template is not YAML, but
 * its literal lines keep YAML's indentation, so they are read as a tree by indentation alone; lines
 * that are only template actions (`{{- if }}`, `{{- end }}`, `{{- toYaml . | nindent 8 }}`) hang
 * under the literal line they are indented beneath. A path is followed through that tree as far as
 * the template writes it literally; past that, the answer is the one action line that writes the
 * block (a value from toYaml or include), else the deepest line found.
 */
import { getIn, type Path } from '../model/json.js';
import type { SourcePosition } from '../output/errors.js';

interface TemplateNode {
  /** 0-based line index and column in the template text (of an item, its dash). */
  readonly line: number;
  readonly column: number;
  /** Where a finding about it points: a key, or an item's content after its dash, as in YAML. */
  readonly shown: number;
  /** A mapping key, or a sequence item (`- `). */
  readonly key?: string;
  /** The value written on the key's own line, unquoted; '' when it is on the lines below. */
  readonly value: string;
  readonly children: TemplateNode[];
  /** Action lines that write content (include, toYaml, a bare value) directly under this node. */
  readonly writers: number[];
}

/** A line holding nothing but template actions. */
const ACTION_LINE = /^(?:\{\{.*?\}\}\s*)+$/;
/** Actions that steer the template but write nothing themselves. */
const CONTROL_ACTION = /^\{\{-?\s*(?:if|else|end|range|with|define|block|\/\*|\$[\w.]*\s*:?=)/;
const KEY = /^("[^"]*"|'[^']*'|[^\s#'"{[\]-][^:#]*?|-[^\s:#][^:#]*?)\s*:(?:\s|$)/;
const BLOCK_SCALAR = /:\s*[|>][-+0-9]*\s*(?:#.*)?$/;
const DOCUMENT_MARKER = /^---\s*(?:#.*)?$/;

function node(
  line: number,
  column: number,
  key: string | undefined,
  value: string,
  shown = column,
): TemplateNode {
  return { line, column, shown, ...(key === undefined ? {} : { key }), value, children: [], writers: [] };
}

/** The literal tree of one document of a template (lines `from` up to `to`). */
function templateTree(lines: readonly string[], from: number, to: number): TemplateNode {
  const root = node(from, -1, undefined, '');
  const open: TemplateNode[] = [root];
  let scalarAbove: number | undefined; // the column of a key whose block scalar is being skipped
  for (let index = from; index < to; index++) {
    const line = lines[index] ?? '';
    const trimmed = line.trim();
    const indent = line.length - line.trimStart().length;
    if (scalarAbove !== undefined) {
      if (trimmed === '' || indent > scalarAbove) continue;
      scalarAbove = undefined;
    }
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (trimmed.startsWith('{{')) {
      const parent = [...open].reverse().find((n) => n.column < indent) ?? root;
      if (!ACTION_LINE.test(trimmed) || !CONTROL_ACTION.test(trimmed)) parent.writers.push(index);
      continue;
    }
    let column = indent;
    let rest = trimmed;
    let first = true;
    while (rest.length > 0) {
      const item = rest === '-' || rest.startsWith('- ');
      const key = item ? undefined : KEY.exec(rest);
      if (!item && !key) break;
      if (first) {
        // Close what this line ends; a key written as a block keeps items level with it open.
        for (let top = open.at(-1); top && top !== root; top = open.at(-1)) {
          if (
            top.column < column ||
            (top.column === column && item && top.key !== undefined && top.value === '')
          )
            break;
          open.pop();
        }
      }
      first = false;
      const parent = open.at(-1) ?? root;
      if (item) {
        const after = rest.slice(1);
        const spaces = after.length - after.trimStart().length;
        const entry = node(index, column, undefined, '', column + 1 + spaces);
        parent.children.push(entry);
        open.push(entry);
        column += 1 + spaces;
        rest = after.trimStart();
        continue;
      }
      const [whole, raw] = key as RegExpExecArray;
      const name = (raw as string).replace(/^(["'])(.*)\1$/, '$2');
      const value = rest
        .slice(whole.length)
        .replace(/\s+#.*$/, '')
        .trim()
        .replace(/^(["'])(.*)\1$/, '$2');
      const entry = node(index, column, name.includes('{{') ? undefined : name, value);
      if (!name.includes('{{')) parent.children.push(entry);
      open.push(entry);
      if (BLOCK_SCALAR.test(rest)) scalarAbove = column;
      break;
    }
  }
  return root;
}

/** The template's documents, split at literal `---` lines: [first line, end line). */
function documentRanges(lines: readonly string[]): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  lines.forEach((line, index) => {
    if (DOCUMENT_MARKER.test(line)) {
      ranges.push([start, index]);
      start = index + 1;
    }
  });
  ranges.push([start, lines.length]);
  return ranges.filter(([from, to]) => lines.slice(from, to).some((line) => line.trim() !== ''));
}

/** Which rendered object of its template this is: the kind and how many of that kind came before. */
export interface RenderedDocument {
  readonly kind: string;
  readonly ordinal: number;
  /** The whole rendered document, to match sequence items by name. */
  readonly value: unknown;
}

/** Where the walk down a path ended: its position, how many steps the template writes literally, and the 0-based line. */
interface Walked {
  readonly position: SourcePosition;
  readonly found: number;
  readonly line?: number;
}

/**
 * The line and column (1-based) in `template` where `path` of the rendered document was written:
 * the deepest key of it the template writes literally, else the object's first line, else line 1.
 */
function walk(template: string, rendered: RenderedDocument, path: Path): Walked {
  const lines = template.split('\n');
  const ranges = documentRanges(lines);
  if (ranges.length === 0) return { position: { line: 1, column: 1 }, found: 0 };
  const ofKind = ranges.filter(([from, to]) =>
    lines.slice(from, to).some((line) => line.trimEnd() === `kind: ${rendered.kind}`),
  );
  const candidates = ofKind.length > 0 ? ofKind : ranges;
  const [from, to] = candidates[Math.min(rendered.ordinal, candidates.length - 1)] as [number, number];
  const root = templateTree(lines, from, to);
  let at = root;
  let line: number | undefined;
  let found = 0;
  for (const [depth, step] of path.entries()) {
    const next = childAt(at, step, getIn(rendered.value, path.slice(0, depth)));
    if (!next) break;
    at = next;
    found = depth + 1;
  }
  if (found < path.length) line = writerOf(at, path[found] as string | number, lines);
  if (line !== undefined)
    return { position: { line: line + 1, column: (lines[line]?.search(/\S/) ?? 0) + 1 }, found, line };
  if (at === root) {
    const start = root.children[0];
    return {
      position: start ? { line: start.line + 1, column: start.shown + 1 } : { line: from + 1, column: 1 },
      found,
    };
  }
  return { position: { line: at.line + 1, column: at.shown + 1 }, found, line: at.line };
}

/**
 * The action line under `at` that writes `step`: the one naming it (`include "x.livenessProbe"`),
 * else the only one there is.
 */
function writerOf(at: TemplateNode, step: string | number, lines: readonly string[]): number | undefined {
  const key = String(step).toLowerCase();
  const naming = at.writers.filter((line) => lines[line]?.toLowerCase().includes(key));
  if (typeof step === 'string' && naming.length === 1) return naming[0];
  return at.writers.length === 1 ? at.writers[0] : undefined;
}

/**
 * The child of `at` that writes `step` of the rendered `parent`: a key by name; an item by its
 * literal name, else by its place when the template writes exactly as many items as were rendered,
 * else the one item whose name is a template value, else, when every item's name is a template
 * value, the item at the same place.
 */
function childAt(at: TemplateNode, step: string | number, parent: unknown): TemplateNode | undefined {
  if (typeof step === 'string') return at.children.find((child) => child.key === step);
  const items = at.children.filter((child) => child.key === undefined);
  const name = getIn(parent, [step, 'name']);
  const named =
    typeof name === 'string'
      ? items.find((item) => item.children.some((c) => c.key === 'name' && c.value === name))
      : undefined;
  if (named) return named;
  if (Array.isArray(parent) && parent.length === items.length) return items[step];
  // The one item whose name is not written literally, when the rendered item's name is none of those.
  const templated = items.filter(
    (item) => !item.children.some((c) => c.key === 'name' && c.value !== '' && !c.value.includes('{{')),
  );
  if (typeof name === 'string' && templated.length === 1) return templated[0];
  // Items the template writes under conditions or ranges (a container, then `range .sidecars`):
  // the rendered order follows the template's, so the item at the same place is the best guess.
  return typeof step === 'number' && templated.length === items.length ? items[step] : undefined;
}

const DEFINE = /\{\{-?\s*define\s+"([^"]+)"\s*-?\}\}/;
const DEFINE_OR_END = /\{\{-?\s*(define|if|range|with|block|end)\b/g;
const INCLUDE = /\b(?:include|template)\s+"([^"]+)"/g;

/** A named template (`{{ define "x" }}...{{ end }}`) of a chart: its file and body lines. */
export interface NamedTemplate {
  readonly file: string;
  readonly text: string;
  /** 0-based lines of the body: [from, to). */
  readonly from: number;
  readonly to: number;
}

/** Every `define` of the chart's template files, by name; the body ends at the matching `end`. */
export function namedTemplates(files: ReadonlyMap<string, string>): Map<string, NamedTemplate> {
  const named = new Map<string, NamedTemplate>();
  for (const [file, text] of files) {
    const lines = text.split('\n');
    lines.forEach((line, index) => {
      const name = DEFINE.exec(line)?.[1];
      if (name === undefined || named.has(name)) return;
      let depth = 0;
      for (let at = index; at < lines.length; at++) {
        for (const match of (lines[at] ?? '').matchAll(DEFINE_OR_END)) depth += match[1] === 'end' ? -1 : 1;
        if (depth <= 0) {
          named.set(name, { file, text, from: index + 1, to: at });
          return;
        }
      }
    });
  }
  return named;
}

/** Whether a template (or a body of one) writes `kind: <kind>` on a line of its own. */
function writesKind(lines: readonly string[], kind: string): boolean {
  return lines.some((line) => line.trim() === `kind: ${kind}`);
}

/**
 * Where a rendered object was written when its `# Source:` template only includes it (`{{ range }}`
 * over components, each `{{ include "chart.deployment" . }}`): the named template, among those it
 * includes, that writes the object's kind; undefined when the template writes it itself.
 */
export function includedDefinition(
  template: string,
  kind: string,
  named: ReadonlyMap<string, NamedTemplate>,
  depth = 0,
): NamedTemplate | undefined {
  const lines = template.split('\n');
  if (writesKind(lines, kind) || depth > 3) return undefined;
  for (const [, name] of template.matchAll(INCLUDE)) {
    const definition = named.get(name as string);
    if (!definition) continue;
    const body = definition.text.split('\n').slice(definition.from, definition.to);
    if (writesKind(body, kind)) return definition;
    const deeper = includedDefinition(body.join('\n'), kind, named, depth + 1);
    if (deeper) return deeper;
  }
  return undefined;
}

/** A named template's body alone, with the lines outside it blanked so it keeps its file's line numbers. */
function bodyOf(definition: NamedTemplate): string {
  return definition.text
    .split('\n')
    .map((line, index) => (index >= definition.from && index < definition.to ? line : ''))
    .join('\n');
}

/** A file of the chart and a position in it. */
export interface ChartPlace {
  readonly source: { readonly name: string; readonly text: string };
  readonly position: SourcePosition;
}

/**
 * Where `path` of a rendered object was written in the chart: in the `# Source:` template, or in the
 * named template it includes that writes the object; and where the template hands part of the
 * object to an include (`template: {{ include "traefik.podTemplate" . | fromYaml | toYaml }}`, a
 * pod spec from `{{ include "grafana.pod" . | nindent 6 }}`), on into that template's body.
 */
export function placeInChart(
  source: { readonly name: string; readonly text: string },
  rendered: RenderedDocument,
  path: Path,
  named: ReadonlyMap<string, NamedTemplate>,
): ChartPlace {
  const definition = includedDefinition(source.text, rendered.kind, named);
  let file = definition ? { name: definition.file, text: definition.text } : source;
  let template = definition ? bodyOf(definition) : source.text;
  let document = rendered;
  let rest = path;
  for (let hop = 0; ; hop++) {
    const walked = walk(template, document, rest);
    const written = walked.line === undefined ? undefined : template.split('\n')[walked.line];
    const name = written === undefined ? undefined : [...written.matchAll(INCLUDE)].at(-1)?.[1];
    const included = name === undefined ? undefined : named.get(name);
    if (hop >= 3 || walked.found >= rest.length || !included)
      return { source: file, position: walked.position };
    document = { kind: '', ordinal: 0, value: getIn(document.value, rest.slice(0, walked.found)) };
    rest = rest.slice(walked.found);
    file = { name: included.file, text: included.text };
    template = bodyOf(included);
  }
}
