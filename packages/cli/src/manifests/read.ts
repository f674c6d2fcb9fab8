/**
 * The file-system edge of manifest loading: files, directories (walked) and stdin ("-").
 * Everything after this works on text.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { APP_CONFIG_NAME } from '../app-config/settings.js';
import { InputError, printable } from '../output/errors.js';
import { byCodeUnit } from '../output/order.js';
import { type HelmOptions, isHelmRendered, readCharts } from './helm.js';
import { readKustomizations } from './kustomize.js';
import type { SourceText } from './origin.js';

export const MANIFEST_EXTENSIONS = /\.(?:ya?ml|json)$/i;
export const DOCKERFILE_NAME = /^(?:Dockerfile(?:\..+)?|.+\.Dockerfile)$/;

function kindOf(path: string): SourceText['kind'] {
  const name = path.split('/').pop() ?? '';
  if (DOCKERFILE_NAME.test(name)) return 'dockerfile';
  return APP_CONFIG_NAME.test(name) ? 'app-config' : 'manifest';
}
const SHELL_SCRIPT = /\.(?:sh|bash)$/;
/** Far above any real manifest; stops an accidental multi-gigabyte read. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Dockerfiles above this are refused: parsing them costs seconds per megabyte. */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);
/** Maven and Gradle test resources: an app config there configures a test, not the service. */
const TEST_SOURCES = /(?:^|\/)src\/test\//;

export interface ReadResult {
  readonly sources: SourceText[];
  readonly errors: InputError[];
  /** Things the user should know that are not errors (e.g. a kustomization linted unrendered). */
  readonly notes: string[];
}

export interface ReadOptions {
  /** Files not to read (.lameduck.yaml `ignore`). */
  readonly ignore?: readonly RegExp[];
  /** Let kustomize fetch remote resources (off: lint runs on untrusted pull requests). */
  readonly allowRemote?: boolean;
  /** The values Helm charts are rendered with. */
  readonly helm?: HelmOptions;
}

export async function readManifestSources(
  paths: readonly string[],
  readStdin: () => Promise<string>,
  { ignore = [], allowRemote = false, helm = {} }: ReadOptions = {},
): Promise<ReadResult> {
  const sources: SourceText[] = [];
  const errors: InputError[] = [];
  const notes: string[] = [];
  for (const path of paths) {
    if (path === '-') {
      sources.push({ name: '<stdin>', text: await readStdin(), kind: 'manifest' });
      continue;
    }
    try {
      const info = await stat(path);
      if (info.isFile() && SHELL_SCRIPT.test(path)) {
        errors.push(
          new InputError(
            'a shell script is not a manifest; lint reads an entrypoint script through the Dockerfile that copies it in and runs it',
            path,
            undefined,
            'lint the Dockerfile (or its directory) instead',
          ),
        );
        continue;
      }
      const walked = info.isDirectory() ? await walk(path) : { files: [path], links: [] };
      let found = walked.files;
      if (walked.links.length > 0) {
        const shown = [...walked.links].sort(byCodeUnit).slice(0, 3).map(printable).join(', ');
        const more = walked.links.length > 3 ? ` and ${walked.links.length - 3} more` : '';
        notes.push(
          `${walked.links.length} symbolic link(s) not followed: ${shown}${more}; lameduck reads only what is inside the paths given, so pass a link's target to lint it`,
        );
      }
      const charts = await readCharts(found, helm, ignore);
      sources.push(...charts.sources);
      errors.push(...charts.errors);
      notes.push(...charts.notes);
      // A chart's files are its templates and values: only the rendered output holds manifests.
      found = found.filter((file) => !charts.inChart(file) || kindOf(file) !== 'manifest');
      const kustomizations = await readKustomizations(
        found.filter((file) => !ignore.some((pattern) => pattern.test(file))),
        { allowRemote },
      );
      errors.push(...kustomizations.errors);
      notes.push(...kustomizations.notes);
      for (const { directory, renderer, text, origin } of kustomizations.rendered)
        sources.push({
          name: renderedName(directory, renderer),
          text,
          kind: 'manifest',
          ...(origin ? { origin } : {}),
        });
      // The rendered output replaces the directories' own manifests.
      for (const directory of kustomizations.replaced)
        found = found.filter((file) => !file.startsWith(`${directory}/`) || kindOf(file) !== 'manifest');
      const files = found.filter((file) => !ignore.some((pattern) => pattern.test(file)));
      for (const file of files) {
        const source = await readTextFile(file, info.isDirectory() ? join(path, relative(path, file)) : path);
        if (source instanceof InputError) errors.push(source);
        // In a walked directory, JSON files are mostly tool configuration: read only manifests.
        else if (!info.isDirectory() || !file.endsWith('.json') || source.text.includes('"apiVersion"'))
          sources.push(source);
      }
    } catch (error) {
      errors.push(fileError(path, error));
    }
  }
  return { sources, errors, notes };
}

/**
 * The files under `directory`, depth first in code-unit order, walked with a stack of its own: a
 * tree of 150,000 files or 10,000 levels overflows no call stack and spreads no huge array.
 * Symbolic links are not followed (a link may point outside the repository, or loop); they are
 * returned so that the user hears of them.
 */
/** A file a walk reads: a manifest, a Dockerfile, or an app config that is not a test's. */
function wanted(name: string, path: string): boolean {
  if (APP_CONFIG_NAME.test(name)) return !TEST_SOURCES.test(path);
  return MANIFEST_EXTENSIONS.test(name) || DOCKERFILE_NAME.test(name);
}

async function walk(directory: string): Promise<{ files: string[]; links: string[] }> {
  const files: string[] = [];
  const links: string[] = [];
  const pending: { readonly path: string; readonly directory: boolean }[] = [
    { path: directory, directory: true },
  ];
  while (pending.length > 0) {
    const next = pending.pop() as { path: string; directory: boolean };
    if (!next.directory) {
      files.push(next.path);
      continue;
    }
    const entries = await readdir(next.path, { withFileTypes: true });
    entries.sort((a, b) => byCodeUnit(b.name, a.name)); // reversed: the stack pops them in order
    for (const entry of entries) {
      const full = join(next.path, entry.name);
      if (entry.isSymbolicLink()) links.push(full);
      else if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name) && !entry.name.startsWith('.'))
          pending.push({ path: full, directory: true });
      } else if (entry.isFile() && wanted(entry.name, full)) {
        pending.push({ path: full, directory: false });
      }
    }
  }
  return { files, links };
}

async function readTextFile(file: string, name: string): Promise<SourceText | InputError> {
  const info = await stat(file);
  // A FIFO or a device would block or never end (/dev/zero): only regular files are read.
  if (!info.isFile()) {
    return new InputError(
      'not a regular file (a pipe, device or socket)',
      name,
      undefined,
      'pass manifest files or directories',
    );
  }
  if (info.size > MAX_FILE_BYTES) {
    return new InputError(
      `file is ${Math.round(info.size / 1024 / 1024)} MB, more than the ${MAX_FILE_BYTES / 1024 / 1024} MB limit`,
      name,
      undefined,
      'split it or pass the part that holds your workloads',
    );
  }
  // dockerfile-ast costs about 2 s and 130 MB per MB; a real Dockerfile is a few KB.
  if (kindOf(name) === 'dockerfile' && info.size > MAX_DOCKERFILE_BYTES) {
    return new InputError(
      `Dockerfile is ${Math.round(info.size / 1024)} KB, more than the ${MAX_DOCKERFILE_BYTES / 1024} KB a Dockerfile takes`,
      name,
      undefined,
      'pass the Dockerfile that builds the image, or add this one to ignore in .lameduck.yaml',
    );
  }
  const bytes = await readFile(file);
  if (bytes.subarray(0, 8192).includes(0)) {
    return new InputError('binary file, not a manifest', name, undefined, 'pass YAML or JSON manifests');
  }
  return { name, text: bytes.toString('utf8').replace(/^\uFEFF/, ''), kind: kindOf(name) };
}

function fileError(path: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new InputError('no such file or directory', path, undefined, 'check the path');
  if (code === 'EACCES') return new InputError('permission denied', path);
  return new InputError(`cannot read: ${(error as Error).message}`, path);
}

export async function readAllStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const RENDERED = / \((?:kustomize build|kubectl kustomize)\)$/;

/** The name of a kustomization's rendered output: an input no file holds. */
export function renderedName(directory: string, renderer: string): string {
  return `${directory} (${renderer})`;
}

/** Whether a source is rendered output rather than a file: fix must never write it. */
export function isRendered(name: string): boolean {
  return RENDERED.test(name) || isHelmRendered(name);
}
