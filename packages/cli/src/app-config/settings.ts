/**
 * The shutdown settings of application servers, each with its line: Spring Boot
 * (application.yml / application.properties) and gunicorn (gunicorn.conf.py).
 */
import { isMap, isScalar, LineCounter, parseAllDocuments } from 'yaml';

export interface Setting<T> {
  readonly value: T;
  readonly line: number;
}

export interface AppSettings {
  readonly server: 'spring' | 'gunicorn' | 'uwsgi';
  /** uWSGI die-on-term: without it, uWSGI 2.0 takes SIGTERM as a brutal reload, not as a stop. */
  readonly dieOnTerm?: Setting<boolean>;
  /** Spring server.shutdown: graceful | immediate. */
  readonly shutdown?: Setting<string>;
  /** Spring spring.lifecycle.timeout-per-shutdown-phase, or gunicorn graceful_timeout, in seconds. */
  readonly drainSeconds?: Setting<number>;
  /** gunicorn --timeout: how long one request may run before its worker is killed. */
  readonly requestTimeoutSeconds?: number;
  /** Set when the settings come from the command line that starts the server (its line), not a config file. */
  readonly commandLine?: { readonly line: number };
  /**
   * Set when the settings are a Spring Boot web module's defaults, read from its Maven or Gradle
   * build: the line naming the Spring Boot version there, else the web starter's.
   */
  readonly buildFile?: { readonly line: number };
}

export const APP_CONFIG_NAME =
  /^(?:(?:application|bootstrap)(?:-[\w-]+)?\.(?:ya?ml|properties)|gunicorn\.conf\.py|[\w.-]+\.ini|pom\.xml|build\.gradle(?:\.kts)?)$/;
const BUILD_FILE_NAME = /(?:^|\/)(?:pom\.xml|build\.gradle(?:\.kts)?)$/;

/**
 * Whether a file so named configures an app server: an .ini file when it configures uWSGI (not
 * pytest, tox or alembic), a Maven or Gradle build when it builds a Spring Boot web module.
 */
export function isAppConfig(file: string, text: string): boolean {
  if (file.endsWith('.ini')) return /^\s*\[uwsgi\]\s*$/m.test(text);
  if (BUILD_FILE_NAME.test(file)) return springWebStarterAt(text) !== undefined;
  return true;
}

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/**
 * Where a build declares Spring Boot's servlet or reactive web starter (the module serves HTTP),
 * as a character index; a Maven aggregator (packaging pom) builds no app of its own.
 */
function springWebStarterAt(buildFile: string): number | undefined {
  if (/<packaging>\s*pom\s*<\/packaging>/.test(buildFile)) return undefined;
  const starter =
    /<artifactId>\s*spring-boot-starter-web(?:flux)?\s*<\/artifactId>|['"]org\.springframework\.boot:spring-boot-starter-web(?:flux)?\b/.exec(
      buildFile,
    );
  return starter?.index;
}

/** The `[uwsgi]` section's die-on-term, as uWSGI reads a boolean (true, 1, yes, on). */
function uwsgiSettings(text: string): AppSettings {
  let inSection = false;
  let dieOnTerm: Setting<boolean> | undefined;
  text.split('\n').forEach((line, index) => {
    const section = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (section) inSection = section[1] === 'uwsgi';
    const pair = /^\s*die-on-term\s*=\s*(\S*)/.exec(line);
    if (inSection && pair) dieOnTerm = { value: /^(?:true|1|yes|on)$/i.test(pair[1] ?? ''), line: index + 1 };
  });
  return { server: 'uwsgi', ...(dieOnTerm ? { dieOnTerm } : {}) };
}

/**
 * Which of a Spring module's config files speaks for its defaults, most first: a setting left
 * unset is reported once per module, on this file, not once per profile or bootstrap file.
 * (Spring Cloud's bootstrap.yml is read before application.yml; a module may have only it.)
 */
const SPRING_PRIMARY = [
  'application.yml',
  'application.yaml',
  'application.properties',
  'bootstrap.yml',
  'bootstrap.yaml',
  'bootstrap.properties',
];

/** The file among `files` (one directory's app configs) that speaks for the module's defaults. */
export function primarySpringConfig(files: readonly string[]): string | undefined {
  const byName = new Map(files.map((file) => [file.split('/').pop() ?? file, file]));
  for (const name of SPRING_PRIMARY) {
    const file = byName.get(name);
    if (file) return file;
  }
  return files.length > 0 ? [...files].sort()[0] : undefined;
}

/**
 * Spring Boot durations: a plain number is milliseconds; otherwise ns, us, ms, s, m, h, d
 * suffixes, or ISO-8601 (PT30S).
 */
export function springDurationSeconds(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value) / 1000;
  const simple = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h|d)$/i.exec(value);
  if (simple) {
    const unit = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 }[
      (simple[2] ?? 's').toLowerCase() as 's'
    ];
    return Number(simple[1]) * unit;
  }
  const iso = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/i.exec(value);
  if (iso && value.length > 2)
    return Number(iso[1] ?? 0) * 3600 + Number(iso[2] ?? 0) * 60 + Number(iso[3] ?? 0);
  return undefined;
}

const SHUTDOWN = 'server.shutdown';
const PHASE_TIMEOUT = 'spring.lifecycle.timeout-per-shutdown-phase';

function fromSpringPairs(pairs: Iterable<[string, string, number]>): AppSettings {
  let shutdown: Setting<string> | undefined;
  let drainSeconds: Setting<number> | undefined;
  for (const [key, value, line] of pairs) {
    if (key === SHUTDOWN) shutdown = { value: value.trim().toLowerCase(), line };
    if (key === PHASE_TIMEOUT) {
      const seconds = springDurationSeconds(value);
      if (seconds !== undefined) drainSeconds = { value: seconds, line };
    }
  }
  return { server: 'spring', ...(shutdown ? { shutdown } : {}), ...(drainSeconds ? { drainSeconds } : {}) };
}

function* propertiesPairs(text: string): Generator<[string, string, number]> {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (match) yield [match[1] as string, match[2] as string, i + 1];
  }
}

/** Flattened keys of every document (profiles included), later documents winning. */
function* yamlPairs(text: string): Generator<[string, string, number]> {
  const lineCounter = new LineCounter();
  for (const document of parseAllDocuments(text, { lineCounter })) {
    if (!('contents' in document) || document.errors.length > 0) continue;
    const walk = function* (node: unknown, prefix: string): Generator<[string, string, number]> {
      if (!isMap(node)) return;
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        const path = prefix ? `${prefix}.${key}` : key;
        if (isScalar(pair.value)) {
          const line = lineCounter.linePos(pair.value.range?.[0] ?? 0).line;
          yield [path, String(pair.value.value), line];
        } else {
          yield* walk(pair.value, path);
        }
      }
    };
    yield* walk(document.contents, '');
  }
}

export function appSettings(file: string, text: string): AppSettings {
  if (file.endsWith('.ini')) return uwsgiSettings(text);
  if (BUILD_FILE_NAME.test(file)) {
    const at = springBootVersionAt(text)?.index ?? springWebStarterAt(text) ?? 0;
    return { server: 'spring', buildFile: { line: lineAt(text, at) } };
  }
  if (file.endsWith('gunicorn.conf.py')) {
    const lines = text.split('\n');
    const index = lines.findLastIndex((line) =>
      /^graceful_timeout\s*=\s*\d+(?:\.\d+)?\s*(?:#.*)?$/.test(line),
    );
    const value = index === -1 ? undefined : Number(/=\s*(\d+(?:\.\d+)?)/.exec(lines[index] ?? '')?.[1]);
    return value === undefined
      ? { server: 'gunicorn' }
      : { server: 'gunicorn', drainSeconds: { value, line: index + 1 } };
  }
  return fromSpringPairs(file.endsWith('.properties') ? propertiesPairs(text) : yamlPairs(text));
}

/** Spring Boot's version from a Maven parent or the Gradle plugin, and where the build names it. */
function springBootVersionAt(buildFile: string): { version: string; index: number } | undefined {
  const maven =
    /(<artifactId>\s*spring-boot-starter-parent\s*<\/artifactId>\s*)<version>\s*(\d+(?:\.\d+)*)[^<]*<\/version>/.exec(
      buildFile,
    );
  if (maven) return { version: maven[2] as string, index: maven.index + (maven[1] as string).length };
  const gradle = /org\.springframework\.boot['"]?\)?\s*version\s*['"](\d+(?:\.\d+)*)/.exec(buildFile);
  return gradle ? { version: gradle[1] as string, index: gradle.index } : undefined;
}

/** Spring Boot's version from a Maven parent or the Gradle plugin, when a build file names it. */
export function springBootVersion(buildFile: string): string | undefined {
  return springBootVersionAt(buildFile)?.version;
}

/**
 * The dependency through which a Spring module reads settings from outside its files: Spring Cloud
 * Kubernetes' config (a ConfigMap named after the app) or a Spring Cloud Config server.
 */
export function springExternalConfig(buildFile: string): string | undefined {
  return /\bspring-cloud-(?:starter-)?kubernetes(?:-client|-fabric8)?-(?:config|all)\b|\bspring-cloud-starter-config\b/.exec(
    buildFile,
  )?.[0];
}

/** A Jib build (no Dockerfile): the module whose build file applies the plugin, and the image it names. */
export interface JibBuild {
  /** The directory of the pom.xml or build.gradle(.kts). */
  readonly module: string;
  readonly plugin: 'jib-maven-plugin' | 'com.google.cloud.tools.jib';
  /** `to.image`, when written as a literal (no ${...}). */
  readonly image?: string;
}

/** Whether a Maven or Gradle build applies the Jib plugin, and the image it pushes when written out. */
export function jibPlugin(buildFile: string): Pick<JibBuild, 'plugin' | 'image'> | undefined {
  const maven = /<artifactId>\s*jib-maven-plugin\s*<\/artifactId>/.test(buildFile);
  const gradle = /com\.google\.cloud\.tools\.jib['"]/.test(buildFile);
  if (!maven && !gradle) return undefined;
  const image = maven
    ? /<to>\s*<image>\s*([^<\s]+)\s*<\/image>/.exec(buildFile)?.[1]
    : /\bto\s*(?:\{[^}]*?\bimage\s*=?|\.image\s*=)\s*['"]([^'"]+)['"]/.exec(buildFile)?.[1];
  return {
    plugin: maven ? 'jib-maven-plugin' : 'com.google.cloud.tools.jib',
    ...(image !== undefined && !image.includes('${') ? { image } : {}),
  };
}

/** One app config file as read: its text, its settings, and what its build says (Spring Boot version, Jib). */
export interface AppConfigSource {
  readonly file: string;
  readonly text: string;
  readonly settings: AppSettings;
  readonly springBootVersion?: string;
  readonly jib?: JibBuild;
  /** A dependency that reads settings from elsewhere (springExternalConfig). */
  readonly externalConfig?: string;
}

/**
 * Where a setting left unset is reported: the file's first line of settings, past the licence
 * header and comments at its top (`#` and `!` in properties, `#` and `---` in YAML and Python, `;`
 * in ini files), or line 1 when there is none.
 */
export function firstSettingLine(text: string): number {
  const index = text.split('\n').findIndex((line) => !/^\s*(?:$|[#!;]|---\s*$)/.test(line));
  return index < 0 ? 1 : index + 1;
}
