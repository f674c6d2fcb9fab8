/**
 * Kustomization directories rendered as they are applied: by `kustomize build` (or, without it,
 * `kubectl kustomize`), in parallel, each through a temporary wrapper that turns on kustomize's
 * origin annotations, so every rendered object can be traced back to the file a person edits.
 * The user's files are never touched, and nothing is fetched unless --allow-remote.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../output/errors.js';
import { mapBounded } from './bounded.js';
import { type KustomizeOrigin, OriginFinder, type RenderedDocument } from './kustomize-origins.js';
import type { SourceOrigin } from './origin.js';
import { findTool, MAX_RENDERED_BYTES, NO_NETWORK, RENDER_TIMEOUT_MS } from './tools.js';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function isKustomizationFile(file: string): boolean {
  return KUSTOMIZATION_FILES.includes(file.split('/').pop() ?? '');
}

/** The program that renders kustomizations: kustomize itself, else kubectl's built-in copy. */
export interface KustomizeRenderer {
  readonly tool: 'kustomize' | 'kubectl';
  readonly path: string;
}

export function kustomizeRenderer(env: NodeJS.ProcessEnv = process.env): KustomizeRenderer | undefined {
  const kustomize = findTool('kustomize', env);
  if (kustomize) return { tool: 'kustomize', path: kustomize };
  const kubectl = findTool('kubectl', env);
  return kubectl ? { tool: 'kubectl', path: kubectl } : undefined;
}

export function renderCommand(renderer: KustomizeRenderer): string {
  return renderer.tool === 'kustomize' ? 'kustomize build' : 'kubectl kustomize';
}

/** Where a rendered object came from, as kustomize's origin annotation says, in the user's paths. */
export interface RenderedKustomization {
  readonly directory: string;
  /** The command that rendered it: `kustomize build` or `kubectl kustomize`. */
  readonly renderer: string;
  /** The rendered YAML with the origin annotations taken out: no rule sees them. */
  readonly text: string;
  /** Where its objects were written, when the renderer said (kustomize-origins.ts). */
  readonly origin?: SourceOrigin;
}

/** One render, before its origins are traced. */
interface Render {
  readonly directory: string;
  readonly renderer: string;
  readonly text: string;
  readonly documents: readonly RenderedDocument[];
}

const ORIGIN = 'config.kubernetes.io/origin';
const TRANSFORMATIONS = 'alpha.config.kubernetes.io/transformations';
const PATCH_TRANSFORMERS = new Set([
  'PatchTransformer',
  'PatchStrategicMergeTransformer',
  'PatchJson6902Transformer',
]);

/** A kustomization entry that kustomize would fetch: a URL, a git remote, a host/org/repo path. */
const REMOTE =
  /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|(?:github\.com|gitlab\.com|bitbucket\.org)\/)|\?ref=|\.git(?:\/\/|$)/i;

function yamlRecord(text: string): Record<string, unknown> {
  try {
    const value: unknown = parseYaml(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function listed(record: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.flatMap((key) => (Array.isArray(record[key]) ? (record[key] as unknown[]).map(String) : []));
}

/** The remote resources a kustomization file names (resources, bases, components, helm repos). */
export function remoteResources(text: string): string[] {
  const record = yamlRecord(text);
  const charts = Array.isArray(record.helmCharts)
    ? (record.helmCharts as { repo?: unknown }[]).flatMap((c) =>
        typeof c?.repo === 'string' ? [c.repo] : [],
      )
    : [];
  return [...listed(record, ['resources', 'bases', 'components']).filter((e) => REMOTE.test(e)), ...charts];
}

function isComponent(text: string): boolean {
  return yamlRecord(text).kind === 'Component';
}

/** The local directories and files a kustomization includes, resolved against its directory. */
function includedPaths(directory: string, text: string): string[] {
  return listed(yamlRecord(text), ['resources', 'bases', 'components'])
    .filter((entry) => !REMOTE.test(entry))
    .map((entry) => join(directory, entry).replace(/\/+$/, ''));
}

export interface KustomizationsRead {
  readonly rendered: RenderedKustomization[];
  readonly errors: InputError[];
  readonly notes: string[];
  /** Directories whose manifests the rendered output stands for (not to be read as files too). */
  readonly replaced: string[];
}

export interface RenderOptions {
  readonly allowRemote: boolean;
  readonly renderer?: KustomizeRenderer | undefined;
  /** Renders at once; every core by default. */
  readonly concurrency?: number;
}

/**
 * Renders the kustomizations among `files` that nothing else in the input includes: a base is
 * linted through the overlays that deploy it (each render holds it), never on its own as well.
 */
export async function readKustomizations(
  files: readonly string[],
  { allowRemote, renderer = kustomizeRenderer(), concurrency = availableParallelism() }: RenderOptions,
): Promise<KustomizationsRead> {
  const errors: InputError[] = [];
  const notes: string[] = [];
  const replaced: string[] = [];
  const kustomizations = await Promise.all(
    files.filter(isKustomizationFile).map(async (file) => ({
      file,
      directory: dirname(file),
      text: await readFile(file, 'utf8').catch(() => ''),
    })),
  );
  const included = new Set(kustomizations.flatMap(({ directory, text }) => includedPaths(directory, text)));
  const roots: typeof kustomizations = [];
  for (const kustomization of kustomizations) {
    const remote = allowRemote ? [] : remoteResources(kustomization.text);
    if (remote.length > 0) {
      errors.push(
        new InputError(
          `names a remote resource (${remote[0]}), which lameduck does not fetch`,
          kustomization.file,
          undefined,
          'pass --allow-remote to let kustomize fetch it, or lint the rendered output: kustomize build DIR | lameduck lint -',
        ),
      );
      replaced.push(kustomization.directory);
    } else if (!renderer) {
      if (!included.has(kustomization.directory))
        notes.push(
          `${kustomization.file}: neither kustomize nor kubectl is installed, so ${kustomization.directory} is linted as written, without its patches and overlays; install kustomize (scripts/tools/build.sh kustomize builds it), or run: kustomize build ${kustomization.directory} | lameduck lint -`,
        );
    } else {
      replaced.push(kustomization.directory);
      // A component only means something inside the kustomization that includes it.
      if (!included.has(kustomization.directory) && !isComponent(kustomization.text))
        roots.push(kustomization);
    }
  }
  const rendered: RenderedKustomization[] = [];
  if (renderer) {
    const origins = new OriginFinder(readOrigin);
    const results = await mapBounded(
      roots,
      async ({ directory }) => {
        const result = await renderKustomization(directory, renderer, allowRemote);
        if ('error' in result || !result.documents.some((d) => d.origin)) return result;
        return { ...result, origin: await origins.sourceOrigin(directory, result.documents) };
      },
      concurrency,
    );
    results.forEach((result, index) => {
      const { file } = roots[index] as (typeof roots)[number];
      if ('error' in result)
        errors.push(
          new InputError(
            `${renderCommand(renderer)} failed: ${result.error}`,
            file,
            undefined,
            'fix the kustomization',
          ),
        );
      else
        rendered.push({
          directory: result.directory,
          renderer: result.renderer,
          text: result.text,
          ...('origin' in result && result.origin ? { origin: result.origin } : {}),
        });
    });
  }
  return { rendered, errors, notes, replaced };
}

/**
 * One kustomization rendered with origins: a temporary kustomization that includes it and asks
 * for `buildMetadata: [originAnnotations, transformerAnnotations]`. A renderer that cannot (an old
 * kubectl) renders the directory itself, without origins.
 */
export async function renderKustomization(
  directory: string,
  renderer: KustomizeRenderer,
  allowRemote: boolean,
): Promise<Render | { error: string }> {
  const wrapper = await realpath(await mkdtemp(join(tmpdir(), 'lameduck-kustomize-')));
  try {
    const target = await realpath(directory);
    const include = relative(wrapper, target);
    await writeFile(
      join(wrapper, 'kustomization.yaml'),
      `resources:\n  - ${JSON.stringify(include)}\nbuildMetadata: [originAnnotations, transformerAnnotations]\n`,
    );
    const wrapped = await run(renderer, wrapper, allowRemote);
    if ('text' in wrapped) {
      // Origin paths are relative to the wrapper; the user knows them relative to the path given.
      const userPath = (path: string) => join(directory, relative(target, resolve(wrapper, path)));
      return { directory, renderer: renderCommand(renderer), ...withoutOrigins(wrapped.text, userPath) };
    }
    const plain = await run(renderer, directory, allowRemote);
    return 'text' in plain
      ? { directory, renderer: renderCommand(renderer), text: plain.text, documents: [] }
      : plain;
  } finally {
    await rm(wrapper, { recursive: true, force: true });
  }
}

function run(
  renderer: KustomizeRenderer,
  directory: string,
  allowRemote: boolean,
): Promise<{ text: string } | { error: string }> {
  const args = renderer.tool === 'kustomize' ? ['build', directory] : ['kustomize', directory];
  return new Promise((done) => {
    execFile(
      renderer.path,
      args,
      {
        encoding: 'utf8',
        timeout: RENDER_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: MAX_RENDERED_BYTES,
        // Without --allow-remote nothing is fetched, even a remote base the scan missed: git and
        // HTTP go to a proxy on a closed local port and fail at once.
        env: allowRemote ? process.env : { ...process.env, ...NO_NETWORK },
      },
      (error, stdout, stderr) => {
        if (!error) return done({ text: stdout });
        if ((error as NodeJS.ErrnoException).code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
          return done({ error: `wrote more than ${MAX_RENDERED_BYTES / 1024 / 1024} MB` });
        if (error.killed) return done({ error: `took more than ${RENDER_TIMEOUT_MS / 1000} s` });
        done({ error: (stderr || error.message).trim().split('\n')[0] ?? 'failed' });
      },
    );
  });
}

/** A kustomize annotation to take out, as kustomize writes it: a block scalar under metadata. */
const KUSTOMIZE_ANNOTATION =
  /^ {4}(config\.kubernetes\.io\/origin|alpha\.config\.kubernetes\.io\/transformations): \|[-+]?$/;

/**
 * The rendered documents without kustomize's origin annotations, and what those said. kustomize
 * writes every document in one block style (top-level keys at column 0, two spaces per level), so
 * a scan of the lines takes them out: parsing and writing the YAML again took longer than
 * rendering on a repository of large CRDs.
 */
export function withoutOrigins(
  text: string,
  userPath: (path: string) => string,
): { text: string; documents: RenderedDocument[] } {
  // A line taken out is left as null until the end, so line numbers of document starts hold.
  const kept: (string | null)[] = [];
  const starts: number[] = [0];
  const origins: (KustomizeOrigin | undefined)[] = [];
  let found: Record<string, string[]> = {};
  let section = '';
  let annotations = -1;
  let entries = 0;
  let taking: string[] | undefined;
  // Documents of one render mostly share their annotations' text: each is read once.
  const read = new Map<string, KustomizeOrigin | undefined>();
  const endDocument = () => {
    if (annotations >= 0 && entries === 0) kept[annotations] = null;
    const key = `${found[ORIGIN]?.join('\n')}\0${found[TRANSFORMATIONS]?.join('\n')}`;
    if (!read.has(key)) read.set(key, originOf(found, userPath));
    origins.push(read.get(key));
    found = {};
    section = '';
    annotations = -1;
    entries = 0;
  };
  for (const line of text.split('\n')) {
    if (taking && (line === '' || line.startsWith('      '))) {
      taking.push(line.slice(6));
      continue;
    }
    taking = undefined;
    if (line === '---') {
      endDocument();
      kept.push(line);
      starts.push(kept.length);
      continue;
    }
    const indent = line.length - line.trimStart().length;
    if (indent === 0 && line !== '') section = line === 'metadata:' ? 'metadata' : '';
    else if (indent === 2 && section !== '') {
      section = line === '  annotations:' ? 'annotations' : 'metadata';
      if (section === 'annotations') annotations = kept.length;
    } else if (indent === 4 && section === 'annotations') {
      const annotation = KUSTOMIZE_ANNOTATION.exec(line)?.[1];
      if (annotation) {
        taking = found[annotation] = [];
        continue;
      }
      entries++;
    }
    kept.push(line);
  }
  endDocument();
  // Each document's offset in the text: where its first line starts.
  const offsets: number[] = [];
  let offset = 0;
  kept.forEach((line, index) => {
    while (offsets.length < starts.length && starts[offsets.length] === index) offsets.push(offset);
    if (line !== null) offset += line.length + 1;
  });
  return {
    text: kept.filter((line) => line !== null).join('\n'),
    documents: origins.map((origin, index) => ({ start: offsets[index] ?? offset, origin })),
  };
}

/** A file a rendered object came from: read whole, as lint reads a manifest; undefined if it cannot be. */
async function readOrigin(file: string): Promise<{ name: string; text: string } | undefined> {
  try {
    const info = await stat(file);
    if (!info.isFile() || info.size > MAX_RENDERED_BYTES) return undefined;
    return { name: file, text: (await readFile(file, 'utf8')).replace(/^\uFEFF/, '') };
  } catch {
    return undefined;
  }
}

function originOf(
  found: Record<string, string[]>,
  userPath: (path: string) => string,
): KustomizeOrigin | undefined {
  const origin = yamlRecord((found[ORIGIN] ?? []).join('\n'));
  const file = typeof origin.path === 'string' ? origin.path : origin.configuredIn;
  if (typeof file !== 'string' || typeof origin.repo === 'string') return undefined;
  const patchedIn = yamlList((found[TRANSFORMATIONS] ?? []).join('\n')).flatMap((step) =>
    PATCH_TRANSFORMERS.has(String(step?.configuredBy?.kind)) && typeof step.configuredIn === 'string'
      ? [userPath(step.configuredIn)]
      : [],
  );
  return {
    file: userPath(file),
    generated: typeof origin.path !== 'string',
    patchedIn: [...new Set(patchedIn)],
  };
}

function yamlList(text: string): { configuredIn?: unknown; configuredBy?: { kind?: unknown } }[] {
  try {
    const value: unknown = parseYaml(text);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}
