/**
 * Text to YAML documents with source positions. JSON is YAML 1.2, so one parser serves both and
 * every node keeps its offset for exact file:line:column findings.
 *
 * Parsing yields plain data (values, position tables, problems with offsets), so the same code can
 * run on a worker thread for large inputs (parallel-parse.ts); the yaml library's documents are kept only
 * when asked for, by fix, which edits them.
 */
import { Composer, type Document, LineCounter, Parser } from 'yaml';
import { InputError, type SourcePosition } from '../output/errors.js';
import type { SourceOrigin, SourceText } from './origin.js';
import { OffsetWriter, recordPositions } from './positions.js';

/** One document as parsing leaves it. */
export interface LoadedDocument {
  /** Offset in the file where the document's contents start. */
  readonly start: number;
  /** The plain value; absent when the document is empty or has a problem. */
  readonly value?: unknown;
  /** The position table of `value` (positions.ts); absent when the value is cyclic. */
  readonly offsets?: Int32Array;
  readonly problem?: DocumentProblem;
}

export interface DocumentProblem {
  readonly kind: 'syntax' | 'too-deep' | 'load' | 'unparseable';
  /** The parser's own words, first line only. */
  readonly message: string;
  /** Offset in the file; absent when the parser gave none. */
  readonly offset?: number;
}

export interface ParsedSource {
  readonly name: string;
  readonly text: string;
  readonly lineCounter: LineCounter;
  readonly documents: readonly LoadedDocument[];
  /** The yaml library's documents, index for index, for editing in place (fix). */
  readonly editable?: readonly Document.Parsed[];
  /** Rendered output: where its objects were written. */
  readonly origin?: SourceOrigin;
}

/** Aliases beyond this are refused (a "billion laughs" document expands exponentially). */
export const MAX_ALIAS_COUNT = 100;

/**
 * A Helm template that was never rendered: a line that is a template action on its own, or a value
 * built from chart objects. `{{` inside an ordinary string value (Prometheus or Argo templates) is fine.
 */
const HELM_ACTION_LINE = /^\s*\{\{-?\s*(?:if|else|end|range|with|define|template|include|\/\*|-?\s*\$)/;
const HELM_VALUE =
  /\{\{-?\s*(?:\.Values|\.Release|\.Chart|\.Capabilities|include\s|template\s|toYaml|tpl\s|\$\.)/;

/** A key or list item whose value is a block scalar (`description: |`, `- >-`): the lines below it are text. */
const BLOCK_SCALAR_START = /(?:^\s*-|:)\s+[|>][-+0-9]*\s*(?:#.*)?$/;

export function findHelmTemplateLine(text: string): number | undefined {
  if (!text.includes('{{')) return undefined; // the common case, without splitting a large file
  const lines = text.split('\n');
  // Inside a block scalar a line is text, however it starts: a rendered PrometheusRule's
  // description may begin `{{ $value }}s.` (CloudNativePG's cluster chart).
  let blockIndent: number | undefined;
  for (const [index, line] of lines.entries()) {
    const indent = line.length - line.trimStart().length;
    if (blockIndent !== undefined) {
      if (line.trim() === '' || indent > blockIndent) continue;
      blockIndent = undefined;
    }
    if (line.trimStart().startsWith('#')) continue;
    if (HELM_ACTION_LINE.test(line) || HELM_VALUE.test(line)) return index + 1;
    if (BLOCK_SCALAR_START.test(line)) blockIndent = indent;
  }
  return undefined;
}

export function positionAt(lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

export function lineCounterOf(text: string): LineCounter {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1))
    lineCounter.addNewLine(at + 1);
  return lineCounter;
}

/**
 * Parses `text`, which starts at offset `base` of its file (a piece of a large file parsed on its
 * own thread), into plain documents; `keep` also returns the yaml documents, for editing them.
 * Each document is dropped as soon as it is loaded unless kept: a small heap is a faster heap.
 */
export function parseDocuments(
  text: string,
  base = 0,
  keep = false,
): { documents: LoadedDocument[]; editable: Document.Parsed[] } {
  const writer = new OffsetWriter(base);
  const loaded: { document: Omit<LoadedDocument, 'offsets'>; table?: [number, number] }[] = [];
  const editable: Document.Parsed[] = [];
  const load = (document: Document.Parsed) => {
    const start = base + (document.contents?.range?.[0] ?? document.range[0]);
    const first = document.errors[0];
    if (first) {
      const kind = first.message.includes('Maximum call stack size exceeded') ? 'too-deep' : 'syntax';
      const message = first.message.split('\n')[0] ?? '';
      return loaded.push({ document: { start, problem: { kind, message, offset: base + first.pos[0] } } });
    }
    if (document.contents === null) return loaded.push({ document: { start } });
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const problem = { kind: 'load', message: (error as Error).message, offset: start } as const;
      return loaded.push({ document: { start, problem } });
    }
    const from = writer.length;
    const tabled = recordPositions(document, value, writer);
    return loaded.push({ document: { start, value }, ...(tabled ? { table: [from, writer.length] } : {}) });
  };
  try {
    const composer = new Composer({ prettyErrors: false });
    for (const document of composer.compose(new Parser().parse(text))) {
      load(document as Document.Parsed);
      if (keep) editable.push(document as Document.Parsed);
    }
  } catch (error) {
    // The parser recurses per nesting level; absurdly deep input overflows the stack.
    const problem = { kind: 'unparseable', message: (error as Error).message } as const;
    loaded.push({ document: { start: base, problem } });
  }
  // One buffer for the whole text, so a worker thread transfers it instead of copying.
  const tables = writer.finish(loaded.flatMap((l) => (l.table ? [l.table] : [])));
  let next = 0;
  const documents = loaded.map(({ document, table }) =>
    table ? { ...document, offsets: tables[next++] as Int32Array } : document,
  );
  return { documents, editable };
}

const PROBLEMS: Record<DocumentProblem['kind'], (message: string) => { message: string; hint: string }> = {
  syntax: (message) => ({ message: `invalid YAML: ${message}`, hint: 'fix the syntax at that line' }),
  'too-deep': () => ({
    message: 'nested too deeply to load',
    hint: 'no Kubernetes object nests this deeply; check how the file was generated',
  }),
  load: (message) => ({
    message: `cannot load document: ${message}`,
    hint: 'remove the excessive aliases or nesting',
  }),
  unparseable: (message) => ({ message: `cannot parse: ${message}`, hint: '' }),
};

/** The parsed documents of one file, with their problems as errors a person can act on. */
export function parsedSource(
  name: string,
  text: string,
  documents: readonly LoadedDocument[],
  editable?: readonly Document.Parsed[],
): { parsed: ParsedSource; errors: InputError[] } {
  const lineCounter = lineCounterOf(text);
  const errors = documents.flatMap(({ problem }) => {
    if (!problem) return [];
    const { message, hint } = PROBLEMS[problem.kind](problem.message);
    const position = problem.offset === undefined ? undefined : positionAt(lineCounter, problem.offset);
    return [new InputError(message, name, position, hint || undefined)];
  });
  return { parsed: { name, text, lineCounter, documents, ...(editable ? { editable } : {}) }, errors };
}

/** A Helm template that was never rendered gets one clear error instead of a cascade of YAML ones. */
export function helmTemplateError(source: Pick<SourceText, 'name' | 'text'>): InputError | undefined {
  const helmLine = findHelmTemplateLine(source.text);
  if (helmLine === undefined) return undefined;
  return new InputError(
    'unrendered Helm template ({{ ... }})',
    source.name,
    { line: helmLine, column: 1 },
    'render it first: helm template <release> <chart> | lameduck plan -f -',
  );
}

/** One file parsed on this thread, its yaml documents kept for editing unless not `editable`. */
export function parseSource(
  source: Pick<SourceText, 'name' | 'text'>,
  editable = true,
): { parsed?: ParsedSource; errors: InputError[] } {
  const helm = helmTemplateError(source);
  if (helm) return { errors: [helm] };
  const parsed = parseDocuments(source.text, 0, editable);
  return parsedSource(source.name, source.text, parsed.documents, editable ? parsed.editable : undefined);
}
