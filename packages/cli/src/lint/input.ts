/** What lint and fix both start from: the config, the loaded input, and the engine options. */
import { helmValues, type LameduckConfig, loadConfig, withConfig } from '../config/config.js';
import type { HelmFlags } from '../flags/declare.js';
import { type PlanFlags, resolvePlanOptions } from '../flags/plan.js';
import { type LoadedManifests, loadManifests } from '../manifests/load.js';
import type { ParseOptions } from '../manifests/parallel-parse.js';
import type { EngineOptions } from './engine.js';
import { imageLinker } from './images.js';
import { ALL_RULES } from './registry.js';

export interface LintInput {
  readonly config: LameduckConfig;
  readonly loaded: LoadedManifests;
  readonly options: EngineOptions & { readonly dockerfileFor: NonNullable<EngineOptions['dockerfileFor']> };
}

export async function loadLintInput(
  paths: readonly string[],
  flags: PlanFlags & HelmFlags & { readonly config?: string; readonly allowRemote?: boolean },
  readStdin: () => Promise<string>,
  parse: ParseOptions = {},
): Promise<LintInput> {
  const config = await loadConfig(flags.config, new Set(ALL_RULES.map((rule) => rule.id)));
  const plan = resolvePlanOptions(withConfig(flags, config));
  const loaded = await loadManifests(
    paths,
    readStdin,
    {
      ignore: config.ignore,
      allowRemote: flags.allowRemote === true,
      helm: helmValues(config, flags, plan.kubeVersion),
    },
    parse,
  );
  const options = {
    ...plan,
    severities: config.severities,
    dockerfileFor: imageLinker(loaded.objects, loaded.dockerfiles, config.images),
  };
  return { config, loaded, options };
}
