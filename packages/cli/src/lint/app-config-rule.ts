/** Rules over application server settings, checked against the budgets of the containers they run in. */
import { dirname } from 'node:path';
import {
  type AppConfigSource,
  type AppSettings,
  appSettings,
  primarySpringConfig,
} from '../app-config/settings.js';
import { type DockerfileFacts, startedProcess } from '../dockerfile/facts.js';
import { locate } from '../manifests/objects.js';
import type { ContainerAnalysis } from '../model/analyze.js';
import { commandWords } from '../model/argv.js';
import { type GunicornFlags, gunicornFlags, namesConfigFile, runsGunicorn } from '../model/gunicorn.js';
import { getIn, getString, isObject, type JsonObject } from '../model/json.js';
import { containerEnv } from '../model/workloads.js';
import type { LocatedContext } from './context.js';
import { imageName, linkReason } from './images.js';
import type { RuleMessage } from './messages.js';
import type { RuleMeta, Severity, WorkloadContext } from './rule.js';

export interface ContainerBudget {
  readonly workload: string;
  readonly container: string;
  readonly graceSeconds: number;
  readonly preStopSeconds: number;
  /** Seconds between SIGTERM and SIGKILL. */
  readonly windowSeconds: number;
  /** How the container's image was tied to this service when no name says so (a one-service repository). */
  readonly linkedBy?: string;
}

export interface AppConfigContext {
  readonly file: string;
  readonly text: string;
  readonly settings: AppSettings;
  readonly springBootVersion?: string;
  /** Containers whose image is built from the Dockerfile of the directory holding this file. */
  readonly containers: readonly ContainerBudget[];
  /**
   * Whether a setting this file leaves unset is reported here: true for the one Spring config of
   * its directory that speaks for the module (application.yml before profile and bootstrap files),
   * and for every gunicorn config and command line.
   */
  readonly speaksForDefaults: boolean;
  /** The argv the Dockerfile of this file's directory starts (flags there override the file). */
  readonly startedWith?: readonly string[];
  /** A dependency of the module's build that reads Spring settings from elsewhere (a ConfigMap, a config server). */
  readonly externalConfig?: string;
  /** A ConfigMap of the input whose Spring config sets server.shutdown, named with its value. */
  readonly configMapShutdown?: { readonly where: string; readonly value: string };
}

export interface AppConfigFinding extends RuleMessage {
  readonly line: number;
  readonly fix: string;
  /** Lower than the rule's severity when the setting may come from elsewhere. */
  readonly severity?: Severity;
}

export interface AppConfigRule extends RuleMeta {
  check(context: AppConfigContext): AppConfigFinding[];
}

const within = (file: string, directory: string) => `${dirname(file)}/`.startsWith(`${directory}/`);

/**
 * A Spring module's defaults are reported on its primary config file; on its build only when it has
 * no config file at all and is built into an image (a Dockerfile or Jib): not every web module of a
 * repository is a deployed service.
 */
function speaksForDefaults(
  source: AppConfigSource,
  sources: readonly AppConfigSource[],
  builtIntoImage: boolean,
): boolean {
  if (source.settings.server !== 'spring') return true;
  const configs = sources.filter((s) => s.settings.server === 'spring' && !s.settings.buildFile);
  if (source.settings.buildFile)
    return builtIntoImage && !configs.some((s) => within(s.file, dirname(source.file)));
  const siblings = configs.filter((s) => dirname(s.file) === dirname(source.file)).map((s) => s.file);
  return primarySpringConfig(siblings) === source.file;
}

/** The Dockerfile whose directory is the nearest ancestor of `file`: the service it belongs to. */
function owningDockerfile(
  file: string,
  dockerfiles: readonly DockerfileFacts[],
): DockerfileFacts | undefined {
  return dockerfiles
    .filter((d) => within(file, dirname(d.file)))
    .sort((a, b) => dirname(b.file).length - dirname(a.file).length)[0];
}

function budgetOf(context: WorkloadContext, analysis: ContainerAnalysis): ContainerBudget | undefined {
  const { container, budget } = analysis;
  if (container.role !== 'main' || budget.drainWindowSeconds === undefined || budget.sigtermAt === undefined)
    return undefined;
  return {
    workload: `${context.kind} ${context.name}`,
    container: container.name,
    graceSeconds: budget.graceSeconds,
    preStopSeconds: budget.sigtermAt,
    windowSeconds: budget.drainWindowSeconds,
  };
}

const imageOf = (spec: JsonObject) => (typeof spec.image === 'string' ? spec.image : '');
const keyOf = (budget: ContainerBudget) => `${budget.workload}\u0000${budget.container}`;

/** A gunicorn command line as app settings, placed at the line that starts gunicorn. */
function commandLineSettings(flags: GunicornFlags, line: number): AppSettings {
  return {
    server: 'gunicorn',
    commandLine: { line },
    ...(flags.gracefulTimeout !== undefined ? { drainSeconds: { value: flags.gracefulTimeout, line } } : {}),
    ...(flags.timeout !== undefined ? { requestTimeoutSeconds: flags.timeout } : {}),
  };
}

/**
 * gunicorn started with its settings on the command line: a container's command/args (placed in
 * the manifest), else its Dockerfile's ENTRYPOINT/CMD. A command line that leaves the graceful
 * timeout unset is its 30 s default only when no config file can set it (no -c, no gunicorn.conf.py
 * in the service's directory).
 */
function commandLineContexts(
  sources: readonly AppConfigSource[],
  dockerfiles: readonly DockerfileFacts[],
  workloads: readonly LocatedContext[],
): AppConfigContext[] {
  const contexts: AppConfigContext[] = [];
  const byDockerfile = new Map<DockerfileFacts, { settings: AppSettings; containers: ContainerBudget[] }>();
  const hasConfigFile = (dockerfile: DockerfileFacts | undefined) =>
    dockerfile !== undefined &&
    sources.some(
      (s) => s.settings.server === 'gunicorn' && owningDockerfile(s.file, dockerfiles) === dockerfile,
    );
  for (const { object, context } of workloads) {
    for (const analysis of context.analysis.containers) {
      const budget = budgetOf(context, analysis);
      if (!budget) continue;
      const spec = analysis.container.spec;
      const link = context.dockerfileFor(imageOf(spec));
      const dockerfile = link?.facts;
      const env = containerEnv(spec, 'GUNICORN_CMD_ARGS');
      const overridden = spec.command !== undefined || spec.args !== undefined;
      const instructions = overridden
        ? []
        : [dockerfile?.entrypoint, dockerfile?.cmd].filter((i) => i !== undefined);
      const words = overridden
        ? [...commandWords(spec.command), ...commandWords(spec.args)]
        : instructions.flatMap((i) => commandWords(i.argv));
      const flags = gunicornFlags(words, env);
      if (!flags) continue;
      if (flags.gracefulTimeout === undefined && (namesConfigFile(words) || hasConfigFile(dockerfile)))
        continue;
      if (overridden) {
        const field = runsGunicorn(commandWords(spec.command)) ? 'command' : 'args';
        const { line } = locate(object, [...analysis.container.path, field]);
        contexts.push({
          file: object.source.name,
          text: object.source.text,
          settings: commandLineSettings(flags, line),
          containers: [budget],
          speaksForDefaults: true,
        });
        continue;
      }
      if (!dockerfile) continue;
      const starting = instructions.find((i) => runsGunicorn(commandWords(i.argv))) ?? instructions[0];
      const entry = byDockerfile.get(dockerfile) ?? {
        settings: commandLineSettings(flags, starting?.line ?? 1),
        containers: [],
      };
      entry.containers.push(link?.via === 'only' ? { ...budget, linkedBy: linkReason(link) } : budget);
      byDockerfile.set(dockerfile, entry);
    }
  }
  for (const [dockerfile, { settings, containers }] of byDockerfile)
    contexts.push({
      file: dockerfile.file,
      text: dockerfile.text,
      settings,
      containers,
      speaksForDefaults: true,
    });
  return contexts;
}

/** A Jib module that builds the config's service, and how it is known. */
interface JibLink {
  readonly module: string;
  /** The image name it pushes, when known. */
  readonly image?: string;
  readonly via: string;
}

/**
 * The Jib build of a config: a skaffold.yaml `jib` artifact whose context holds the file (the
 * nearest), else the Jib plugin of the Maven or Gradle build above it.
 */
function jibBuild(source: AppConfigSource, jibModules: ReadonlyMap<string, string>): JibLink | undefined {
  const [nearest] = [...jibModules]
    .filter(([, module]) => within(source.file, module))
    .sort(([, a], [, b]) => b.length - a.length);
  if (nearest)
    return { module: nearest[1], image: imageName(nearest[0]), via: 'a jib artifact of skaffold.yaml' };
  const { jib } = source;
  if (!jib) return undefined;
  const build = jib.plugin === 'jib-maven-plugin' ? 'pom.xml' : 'the Gradle build';
  return {
    module: jib.module,
    ...(jib.image ? { image: imageName(jib.image) } : {}),
    via: `${jib.plugin} in ${build}`,
  };
}

/** Containers whose image is the Jib module's: by the image it names, else by the module's directory name. */
function jibContainers(jib: JibLink, workloads: readonly LocatedContext[]): ContainerBudget[] {
  const matches = (image: string) =>
    jib.image !== undefined
      ? imageName(image) === jib.image
      : imageName(image).split('/').pop() === jib.module.split('/').pop();
  return workloads.flatMap(({ context }) =>
    context.analysis.containers.flatMap((analysis) => {
      const budget = budgetOf(context, analysis);
      return budget && matches(imageOf(analysis.container.spec))
        ? [{ ...budget, linkedBy: `built with Jib from ${jib.module}, linked by ${jib.via}` }]
        : [];
    }),
  );
}

/** The first ConfigMap of the input whose Spring config file (a data key) sets server.shutdown. */
function configMapShutdown(configMaps: readonly JsonObject[]): AppConfigContext['configMapShutdown'] {
  for (const configMap of configMaps) {
    const data = getIn(configMap, ['data']);
    for (const [key, text] of Object.entries(isObject(data) ? data : {})) {
      if (typeof text !== 'string' || !/\.(?:ya?ml|properties)$/.test(key)) continue;
      const shutdown = appSettings(key, text).shutdown;
      if (shutdown)
        return {
          where: `ConfigMap ${getString(configMap, ['metadata', 'name'])} (${key})`,
          value: shutdown.value,
        };
    }
  }
  return undefined;
}

export function appConfigContexts(
  sources: readonly AppConfigSource[],
  dockerfiles: readonly DockerfileFacts[],
  workloads: readonly LocatedContext[],
  jibModules: ReadonlyMap<string, string> = new Map(),
  /** The input's ConfigMaps, where Spring Cloud Kubernetes finds settings. */
  configMaps: readonly JsonObject[] = [],
): AppConfigContext[] {
  const commandLines = commandLineContexts(sources, dockerfiles, workloads);
  // gunicorn's command line wins over its config file: a container whose flags set the timeout is theirs.
  const setOnCommandLine = new Set(
    commandLines.filter((c) => c.settings.drainSeconds).flatMap((c) => c.containers.map(keyOf)),
  );
  const fromConfigMap = configMapShutdown(configMaps);
  const files = sources.map((source) => {
    const external = source.externalConfig && fromConfigMap ? { configMapShutdown: fromConfigMap } : {};
    const dockerfile = owningDockerfile(source.file, dockerfiles);
    const jib = jibBuild(source, jibModules);
    if (jib && (!dockerfile || jib.module.length >= dirname(dockerfile.file).length))
      return {
        ...source,
        ...external,
        containers: jibContainers(jib, workloads),
        speaksForDefaults: speaksForDefaults(source, sources, true),
      };
    const containers: ContainerBudget[] = [];
    for (const { context } of dockerfile ? workloads : []) {
      for (const analysis of context.analysis.containers) {
        const budget = budgetOf(context, analysis);
        const link = context.dockerfileFor(imageOf(analysis.container.spec));
        if (!budget || link?.facts !== dockerfile) continue;
        if (source.settings.server === 'gunicorn' && setOnCommandLine.has(keyOf(budget))) continue;
        containers.push(link?.via === 'only' ? { ...budget, linkedBy: linkReason(link) } : budget);
      }
    }
    const started = dockerfile ? startedProcess(dockerfile)?.argv : undefined;
    return {
      ...source,
      ...external,
      containers,
      speaksForDefaults: speaksForDefaults(source, sources, dockerfile !== undefined),
      ...(started ? { startedWith: started } : {}),
    };
  });
  return [...files, ...commandLines];
}
