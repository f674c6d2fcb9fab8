/**
 * The whole of lint as one step with no I/O of its own: the loaded input in, the findings, their
 * summary and the texts they point into out. `lint` feeds it files, `collect` the live objects.
 */
import { EMPTY_CONFIG } from '../config/config.js';
import { type PlanFlags, resolvePlanOptions } from '../flags/plan.js';
import { objectsOf } from '../manifests/objects.js';
import { parseSource } from '../manifests/parse.js';
import { appConfigContexts } from './app-config-rule.js';
import { workloadContexts } from './context.js';
import { type Finding, lintAppConfigs, lintDockerfiles, lintObjects, mergeRendered } from './engine.js';
import { type LintSummary, summarize } from './formats/summary.js';
import { imageLinker, skaffoldJibModules } from './images.js';
import type { LintInput } from './input.js';
import { APP_CONFIG_RULES, DOCKERFILE_RULES, RULES } from './registry.js';

export interface LintResult {
  readonly findings: Finding[];
  readonly summary: LintSummary;
  /** Each file's text by name, for the code frames of the text format. */
  readonly sources: Map<string, string>;
}

export function lintLoaded({ config, loaded, options }: LintInput): LintResult {
  const workloads = workloadContexts(loaded.objects, options, options.dockerfileFor);
  const appContexts = appConfigContexts(
    loaded.appConfigs,
    loaded.dockerfiles.map((d) => d.facts),
    workloads,
    skaffoldJibModules(loaded.objects),
    loaded.objects.filter((object) => object.kind === 'ConfigMap').map((object) => object.value),
  );
  const findings = mergeRendered([
    ...lintObjects(loaded.objects, RULES, options, workloads).map((located) => located.finding),
    ...lintAppConfigs(appContexts, APP_CONFIG_RULES, config.severities),
    ...lintDockerfiles(loaded.dockerfiles, DOCKERFILE_RULES, config.severities),
  ]);
  const summary = summarize(
    findings,
    loaded.files,
    loaded.objects.length + loaded.dockerfiles.length + loaded.appConfigs.length,
    loaded.errors.length,
  );
  const sources = new Map([
    ...loaded.objects.map((o): [string, string] => [o.source.name, o.source.text]),
    ...loaded.objects.flatMap((o) => [...(o.source.origin?.files ?? [])]),
    ...loaded.appConfigs.map((a): [string, string] => [a.file, a.text]),
    ...loaded.dockerfiles.flatMap(({ facts, script }): [string, string][] => [
      [facts.file, facts.text],
      ...(script ? [[script.file, script.text] as [string, string]] : []),
    ]),
  ]);
  return { findings, summary, sources };
}

/** Manifests held in memory (the live objects `collect` read), linted as one file of that name. */
export function lintManifestText(name: string, text: string, flags: PlanFlags): LintResult {
  const { parsed, errors } = parseSource({ name, text });
  const found = parsed ? objectsOf(parsed) : { objects: [], errors: [] };
  const loaded = {
    objects: found.objects,
    dockerfiles: [],
    appConfigs: [],
    notes: [],
    errors: [...errors, ...found.errors],
    files: 1,
  };
  const options = {
    ...resolvePlanOptions(flags),
    severities: EMPTY_CONFIG.severities,
    dockerfileFor: imageLinker(loaded.objects, [], EMPTY_CONFIG.images),
  };
  return lintLoaded({ config: EMPTY_CONFIG, loaded, options });
}
