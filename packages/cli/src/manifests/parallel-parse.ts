/**
 * Manifest files to parsed sources, on every core when the input is large. Parsing is most of
 * lint's time (bench/lint) and documents are independent, so this is where more cores help.
 *
 * The text is cut at document markers into pieces of about 128 KB. This thread and the worker
 * threads take the next unclaimed piece from a shared counter until none is left, so a thread that
 * started late or runs slower simply parses fewer; the plain documents (values, position tables,
 * problems) come back and are put together file by file, in order.
 */
import { availableParallelism } from 'node:os';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import type { InputError } from '../output/errors.js';
import type { SourceText } from './origin.js';
import {
  helmTemplateError,
  type LoadedDocument,
  type ParsedSource,
  parseDocuments,
  parsedSource,
  parseSource,
} from './parse.js';

export interface ParseOptions {
  /** Keep the yaml documents for editing (fix): parses on this thread only. */
  readonly editable?: boolean;
  /** Threads to use, this one included; default: the cores available, at most 8. */
  readonly threads?: number;
  /** Below this many bytes of manifests, starting a worker costs more than it saves. */
  readonly minimumBytes?: number;
  /** Roughly how much text one claim takes. */
  readonly pieceBytes?: number;
  /** Limits of each worker thread: a worker that runs out dies, and this thread parses its share. */
  readonly resourceLimits?: ResourceLimits;
}

/** A worker thread starts in tens of milliseconds; yaml parses about 3 MB/s. */
const MINIMUM_BYTES = 512 * 1024;
const PIECE_BYTES = 128 * 1024;
const MAX_THREADS = 8;

/** [start, end) of one file's text. */
export interface Segment {
  readonly source: number;
  readonly start: number;
  readonly end: number;
}

/** One claim: consecutive segments (a slice of a large file, or several small files). */
export type Piece = readonly Segment[];

/** What a worker thread is given. */
export interface WorkerInput {
  readonly texts: readonly string[];
  readonly pieces: readonly Piece[];
  /** Shared: the index of the next unclaimed piece. */
  readonly next: Int32Array;
}

/** What a worker thread sends back, once per piece, then `done`. */
export type WorkerMessage =
  | { readonly piece: number; readonly documents: LoadedDocument[][] }
  | { readonly done: true };

/** Parses the segments of one piece: documents per segment. */
export function parsePiece(texts: readonly string[], piece: Piece): LoadedDocument[][] {
  return piece.map(
    ({ source, start, end }) => parseDocuments((texts[source] ?? '').slice(start, end), start).documents,
  );
}

/** The pieces this thread claims, one at a time, until none is left. */
export function* claimPieces({ pieces, next }: WorkerInput): Generator<number> {
  for (let piece = Atomics.add(next, 0, 1); piece < pieces.length; piece = Atomics.add(next, 0, 1))
    yield piece;
}

export async function parseManifestSources(
  sources: readonly Pick<SourceText, 'name' | 'text'>[],
  options: ParseOptions = {},
): Promise<{ parsed: ParsedSource[]; errors: InputError[] }> {
  const errors: InputError[] = [];
  const parsed: ParsedSource[] = [];
  const add = (result: { parsed?: ParsedSource; errors: readonly InputError[] }) => {
    if (result.parsed) parsed.push(result.parsed);
    for (const error of result.errors) errors.push(error);
  };
  const threads = Math.max(1, Math.floor(options.threads ?? Math.min(availableParallelism(), MAX_THREADS)));
  const bytes = sources.reduce((sum, source) => sum + source.text.length, 0);
  if (options.editable || threads === 1 || bytes < (options.minimumBytes ?? MINIMUM_BYTES)) {
    for (const source of sources) add(parseSource(source, options.editable ?? false));
    return { parsed, errors };
  }
  const parseable = sources.filter((source) => {
    const helm = helmTemplateError(source);
    if (helm) errors.push(helm);
    return !helm;
  });
  const texts = parseable.map((source) => source.text);
  const input: WorkerInput = {
    texts,
    pieces: cutIntoPieces(texts, options.pieceBytes ?? PIECE_BYTES),
    next: new Int32Array(new SharedArrayBuffer(4)),
  };
  const results: (LoadedDocument[][] | undefined)[] = input.pieces.map(() => undefined);
  const deliver = (piece: number, documents: LoadedDocument[][]) => {
    results[piece] = documents;
  };
  // Workers start first, so they boot while this thread parses.
  const workers = Array.from({ length: Math.min(threads, input.pieces.length) - 1 }, () =>
    parseOnWorker(input, deliver, options.resourceLimits),
  );
  for (const piece of claimPieces(input)) deliver(piece, parsePiece(texts, input.pieces[piece] as Piece));
  await Promise.all(workers);
  // A worker that could not run or died (no memory, a broken install) costs time, never input.
  results.forEach((documents, piece) => {
    if (!documents) results[piece] = parsePiece(texts, input.pieces[piece] as Piece);
  });

  const documentsOf = parseable.map((): LoadedDocument[] => []);
  input.pieces.forEach((piece, pieceIndex) => {
    piece.forEach(({ source }, segmentIndex) => {
      const target = documentsOf[source] as LoadedDocument[];
      for (const document of results[pieceIndex]?.[segmentIndex] ?? []) target.push(document);
    });
  });
  parseable.forEach(({ name, text }, index) => {
    add(parsedSource(name, text, documentsOf[index] ?? []));
  });
  return { parsed, errors };
}

/** Resolves when the worker is done or gone; what it parsed arrives through `deliver`. */
function parseOnWorker(
  input: WorkerInput,
  deliver: (piece: number, documents: LoadedDocument[][]) => void,
  resourceLimits: ResourceLimits = {},
): Promise<void> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./parse-worker.js', import.meta.url), {
        workerData: input,
        resourceLimits,
      });
    } catch {
      resolve();
      return;
    }
    worker.on('message', (message: WorkerMessage) => {
      if ('done' in message) {
        resolve();
        void worker.terminate();
      } else deliver(message.piece, message.documents);
    });
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
}

const DIRECTIVE = /^%/m;

/**
 * Pieces of about `size` characters, in file order. A file is cut only at a line that starts a
 * document (`---`), which YAML forbids inside any scalar or collection, and never when it has
 * directives (`%YAML`, `%TAG`), which apply to the documents after them.
 */
export function cutIntoPieces(texts: readonly string[], size: number): Piece[] {
  const pieces: Piece[] = [];
  let current: Segment[] = [];
  let filled = 0;
  texts.forEach((text, source) => {
    const cuttable = !DIRECTIVE.test(text);
    let start = 0;
    while (start < text.length) {
      const room = size - filled;
      const cut =
        text.length - start <= room || !cuttable ? undefined : documentStartAfter(text, start + room);
      const end = cut ?? text.length;
      current.push({ source, start, end });
      filled += end - start;
      start = end;
      if (filled >= size) {
        pieces.push(current);
        current = [];
        filled = 0;
      }
    }
  });
  if (current.length > 0) pieces.push(current);
  return pieces;
}

/** The offset of the first line at or after `from` that starts a document (`---`). */
export function documentStartAfter(text: string, from: number): number | undefined {
  for (let at = text.indexOf('\n---', Math.max(0, from - 1)); at !== -1; at = text.indexOf('\n---', at + 1)) {
    const after = text[at + 4];
    if (after === undefined || after === '\n' || after === '\r' || after === ' ' || after === '\t')
      return at + 1;
  }
  return undefined;
}
