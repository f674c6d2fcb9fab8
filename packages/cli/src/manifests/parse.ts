/**
 * Text to YAML documents with source positions. JSON is YAML 1.2, so one parser serves both and
 * every node keeps its offset for exact file:line:column findings.
 */
import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import { InputError, type SourcePosition } from '../output/errors.js';
import type { SourceText } from './read.js';

export interface ParsedSource {
  readonly name: string;
  readonly text: string;
  readonly lineCounter: LineCounter;
  readonly documents: Document.Parsed[];
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

export function findHelmTemplateLine(text: string): number | undefined {
  const lines = text.split('\n');
  const index = lines.findIndex(
    (line) => !line.trimStart().startsWith('#') && (HELM_ACTION_LINE.test(line) || HELM_VALUE.test(line)),
  );
  return index === -1 ? undefined : index + 1;
}

export function positionAt(lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

export function parseSource(source: Pick<SourceText, 'name' | 'text'>): {
  parsed?: ParsedSource;
  errors: InputError[];
} {
  const helmLine = findHelmTemplateLine(source.text);
  if (helmLine !== undefined) {
    return {
      errors: [
        new InputError(
          'unrendered Helm template ({{ ... }})',
          source.name,
          { line: helmLine, column: 1 },
          'render it first: helm template <release> <chart> | lameduck plan -f -',
        ),
      ],
    };
  }
  const lineCounter = new LineCounter();
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(source.text, { lineCounter, prettyErrors: false }) as Document.Parsed[];
  } catch (error) {
    // The parser recurses per nesting level; absurdly deep input overflows the stack.
    return { errors: [new InputError(`cannot parse: ${(error as Error).message}`, source.name)] };
  }
  const errors: InputError[] = [];
  for (const document of documents) {
    const first = document.errors[0];
    if (!first) continue;
    const position = positionAt(lineCounter, first.pos[0]);
    errors.push(
      first.message.includes('Maximum call stack size exceeded')
        ? new InputError(
            'nested too deeply to load',
            source.name,
            position,
            'no Kubernetes object nests this deeply; check how the file was generated',
          )
        : new InputError(
            `invalid YAML: ${first.message.split('\n')[0]}`,
            source.name,
            position,
            'fix the syntax at that line',
          ),
    );
  }
  return { parsed: { name: source.name, text: source.text, lineCounter, documents }, errors };
}
