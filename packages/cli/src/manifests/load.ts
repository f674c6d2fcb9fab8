/** Paths to Kubernetes objects, collecting every input problem instead of stopping at the first. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import {
  type AppConfigSource,
  appSettings,
  isAppConfig,
  type JibBuild,
  jibPlugin,
  springBootVersion,
  springExternalConfig,
} from '../app-config/settings.js';
import {
  type BuildContextHints,
  copiedScript,
  type DockerfileContext,
  dockerfileFacts,
  npmStartScript,
  startedEntry,
} from '../dockerfile/facts.js';
import { RUNTIMES, type Runtime, startedAppFacts } from '../dockerfile/started-app.js';
import { InputError } from '../output/errors.js';
import { type KubeObject, objectsOf } from './objects.js';
import { type ParseOptions, parseManifestSources } from './parallel-parse.js';
import { type ReadOptions, readManifestSources } from './read.js';

export interface LoadedManifests {
  readonly objects: KubeObject[];
  readonly dockerfiles: DockerfileContext[];
  readonly appConfigs: AppConfigSource[];
  readonly notes: string[];
  readonly errors: InputError[];
  readonly files: number;
}

export async function loadManifests(
  paths: readonly string[],
  readStdin: () => Promise<string>,
  read: ReadOptions = {},
  parse: ParseOptions = {},
): Promise<LoadedManifests> {
  const { sources, errors, notes } = await readManifestSources(paths, readStdin, read);
  const manifests = await parseManifestSources(
    sources.filter((source) => source.kind === 'manifest'),
    parse,
  );
  for (const error of manifests.errors) errors.push(error);
  const origins = new Map(sources.flatMap((s) => (s.origin ? [[s.name, s.origin] as const] : [])));
  const objects: KubeObject[] = [];
  // Loops, not push(...spread): a 50 MB file holds more objects than the call stack takes arguments.
  for (const parsed of manifests.parsed) {
    const origin = origins.get(parsed.name);
    const found = objectsOf(origin ? { ...parsed, origin } : parsed);
    for (const object of found.objects) objects.push(object);
    for (const error of found.errors) errors.push(error);
  }
  const dockerfiles: DockerfileContext[] = [];
  const appConfigs: AppConfigSource[] = [];
  for (const source of sources) {
    if (source.kind === 'app-config') {
      if (!isAppConfig(source.name, source.text)) continue;
      const settings = appSettings(source.name, source.text);
      const build = settings.server === 'spring' ? await nearbyBuild(source.name) : {};
      appConfigs.push({
        file: source.name,
        text: source.text,
        settings,
        ...(build.version ? { springBootVersion: build.version } : {}),
        ...(build.jib ? { jib: build.jib } : {}),
        ...(build.externalConfig ? { externalConfig: build.externalConfig } : {}),
      });
      continue;
    }
    if (source.kind === 'dockerfile') {
      const facts = dockerfileFacts(source.name, source.text);
      if (!facts)
        errors.push(
          new InputError('no FROM instruction: not a Dockerfile', source.name, { line: 1, column: 1 }),
        );
      else dockerfiles.push(await withStartedApp(await withEntrypointScript(facts)));
    }
  }
  return { objects, dockerfiles, appConfigs, notes, errors, files: sources.length };
}

/**
 * A COPY source as a regular file of the build context (the Dockerfile's directory), with its size;
 * undefined when it is not in this checkout. Docker reads a COPY source only from inside the build
 * context; so does lint (COPY ../../dev/stdin must not make lint read, and print, a file outside it).
 */
async function buildContextFile(
  facts: DockerfileContext['facts'],
  source: string,
): Promise<{ file: string; size: number } | undefined> {
  const file = join(dirname(facts.file), source);
  if (relative(resolve(dirname(facts.file)), resolve(file)).startsWith('..')) return undefined;
  return regularFile(file);
}

/** `file` with its size when it is a regular file. */
async function regularFile(file: string): Promise<{ file: string; size: number } | undefined> {
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ? { file, size: info.size } : undefined;
}

/**
 * A COPY source with a directory (`COPY build/entrypoint.sh ...`) that is not beside the Dockerfile:
 * the image is built from a directory above it (`docker build -f build/Dockerfile.nginx .`, NGINX
 * Gateway Fabric). The nearest one above that holds it, not above the working directory.
 */
async function contextAbove(
  facts: DockerfileContext['facts'],
  source: string,
): Promise<{ file: string; size: number } | undefined> {
  const parts = source.replace(/^\.\//, '').split('/');
  if (parts.length < 2 || parts.includes('..') || source.startsWith('/')) return undefined;
  const top = resolve('.');
  for (let directory = resolve(dirname(facts.file)); directory !== top; ) {
    // Only directories under the working directory (a sibling named /work/mainx is not under /work/main).
    if (relative(top, directory).startsWith('..')) return undefined;
    directory = dirname(directory);
    const found = await regularFile(relative(top, join(directory, ...parts)));
    if (found) return found;
  }
  return undefined;
}

/** The script ENTRYPOINT/CMD runs, read from the build context, when it is of sane size. */
async function withEntrypointScript(facts: DockerfileContext['facts']): Promise<DockerfileContext> {
  const copied = copiedScript(facts);
  const found =
    copied && ((await buildContextFile(facts, copied.source)) ?? (await contextAbove(facts, copied.source)));
  if (!found || found.size > MAX_SCRIPT_BYTES) return { facts };
  try {
    const text = await readFile(found.file, 'utf8');
    // A shell script: its #! names a shell, or it is a .sh file. `CMD ["index.js"]` on a distroless
    // Node image runs the file with node, which has no last command to exec.
    return shellScriptText(found.file, text) ? { facts, script: { file: found.file, text } } : { facts };
  } catch {
    return { facts }; // unreadable: nothing to check
  }
}

const SHELL_SHEBANG = /^#!\s*(?:\/usr)?\/bin\/(?:env\s+)?(?:sh|bash|ash|dash|ksh|zsh|busybox\s+sh)\b/;

function shellScriptText(file: string, text: string): boolean {
  return text.startsWith('#!') ? SHELL_SHEBANG.test(text) : file.endsWith('.sh');
}

/** An entrypoint script larger than this is not a script lint should read. */
const MAX_SCRIPT_BYTES = 1024 * 1024;
/** How much of a build context lint reads to see whether the app handles SIGTERM. */
const MAX_SOURCES = 2000;
const MAX_SOURCE_BYTES = 32 * 1024 * 1024;

/** The app's own source files under a build context, installed packages left out; undefined past the limit. */
async function sourceFiles(root: string, runtime: Runtime): Promise<string[] | undefined> {
  const { sources, skipped } = RUNTIMES[runtime];
  const files: string[] = [];
  const directories = [root];
  let visited = 0;
  for (let directory = directories.pop(); directory !== undefined; directory = directories.pop()) {
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      if (++visited > MAX_SOURCES * 10) return undefined;
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (!skipped.has(entry.name)) directories.push(path);
      } else if (entry.isFile() && sources.test(entry.name)) {
        files.push(path);
        if (files.length > MAX_SOURCES) return undefined;
      }
    }
  }
  return files;
}

/** What the build context says beside the Dockerfile: `npm start`'s script, and whether it is a Go module. */
async function contextHints(facts: DockerfileContext['facts']): Promise<BuildContextHints> {
  const goModule = (await buildContextFile(facts, 'go.mod')) !== undefined;
  const manifest = await buildContextFile(facts, 'package.json');
  const text = manifest ? await readFile(manifest.file, 'utf8').catch(() => undefined) : undefined;
  const npmStart = text === undefined ? undefined : npmStartScript(text);
  return { goModule, ...(npmStart !== undefined ? { npmStart } : {}) };
}

/**
 * For an image that starts `node <file>`, `python <file>` or a Go server's binary: the build
 * context's own sources (not installed packages), read to see whether any handles SIGTERM. Said
 * nothing of when the entry file is not in the checkout (built output) or the context is too large
 * to read whole.
 */
async function withStartedApp(context: DockerfileContext): Promise<DockerfileContext> {
  const copied = startedEntry(context.facts, await contextHints(context.facts));
  if (!copied) return context;
  if (copied.source !== undefined && !(await buildContextFile(context.facts, copied.source))) return context;
  try {
    const files = await sourceFiles(dirname(context.facts.file), copied.runtime);
    if (files === undefined) return context;
    const sources: { text: string }[] = [];
    let bytes = 0;
    for (const file of files) {
      const info = await stat(file);
      if (!info.isFile()) continue;
      bytes += info.size;
      if (bytes > MAX_SOURCE_BYTES) return context;
      sources.push({ text: await readFile(file, 'utf8') });
    }
    const startedApp = startedAppFacts(copied.runtime, copied.entry, copied.pid1, sources);
    return startedApp ? { ...context, startedApp } : context;
  } catch {
    return context; // not in this checkout, or unreadable: nothing to say
  }
}

const BUILD_FILES = ['pom.xml', 'build.gradle', 'build.gradle.kts'];

/**
 * What the Maven or Gradle builds above a Spring config say: the Spring Boot version the nearest one
 * names, and the nearest one that applies the Jib plugin (the module the image is built from).
 */
async function nearbyBuild(
  file: string,
): Promise<{ version?: string; jib?: JibBuild; externalConfig?: string }> {
  let version: string | undefined;
  let jib: JibBuild | undefined;
  let externalConfig: string | undefined;
  let directory = dirname(file);
  for (let depth = 0; depth < 8 && (version === undefined || jib === undefined); depth++) {
    for (const name of BUILD_FILES) {
      try {
        const text = await readFile(join(directory, name), 'utf8');
        version ??= springBootVersion(text);
        // The module's own build (the nearest) says where else its settings come from.
        externalConfig ??= springExternalConfig(text);
        const plugin = jib ? undefined : jibPlugin(text);
        if (plugin) jib = { module: directory, ...plugin };
      } catch {
        // no such build file here
      }
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  return {
    ...(version ? { version } : {}),
    ...(jib ? { jib } : {}),
    ...(externalConfig ? { externalConfig } : {}),
  };
}
