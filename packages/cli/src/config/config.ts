/**
 * .lameduck.yaml: project defaults for lint, fix and plan. The shipped JSON schema
 * (schema/lameduck.schema.json) is the one description of the format; this loader checks the same
 * keys and reports each bad value at its line.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { HelmFlags } from '../flags/declare.js';
import { type PlanFlags, resolvePlanOptions } from '../flags/plan.js';
import type { HelmOptions } from '../manifests/helm.js';
import { isObject, type JsonObject } from '../model/json.js';
import { formatKubeVersion, type KubeVersion } from '../model/kube-version.js';
import { InputError, UsageError } from '../output/errors.js';

export const CONFIG_FILE = '.lameduck.yaml';

export interface LameduckConfig {
  readonly flags: PlanFlags;
  readonly severities: ReadonlyMap<string, 'error' | 'warning' | 'info' | 'off'>;
  readonly images: ReadonlyMap<string, string>;
  readonly ignore: readonly RegExp[];
  /** Values every Helm chart is rendered with, before those of the command line. */
  readonly helm: { readonly values: readonly string[]; readonly set: readonly string[] };
}

export const EMPTY_CONFIG: LameduckConfig = {
  flags: {},
  severities: new Map(),
  images: new Map(),
  ignore: [],
  helm: { values: [], set: [] },
};

const schema = createRequire(import.meta.url)('../../schema/lameduck.schema.json') as {
  properties: Record<string, { enum?: string[]; additionalProperties?: { enum?: string[] } }>;
};

/** `**` crosses directories, `*` and `?` stay within one. */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      pattern += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') pattern += '[^/]*';
    else if (c === '?') pattern += '[^/]';
    else pattern += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^(?:\\./)?${pattern}$`);
}

/** Keys of the file that stand for plan flags: the PlanFlags field and the flag's name in messages. */
const FLAG_KEYS: Record<string, { flag: keyof PlanFlags; name: string }> = {
  kubeVersion: { flag: 'kubeVersion', name: '--kube-version' },
  nodes: { flag: 'nodes', name: '--nodes' },
  profile: { flag: 'profile', name: '--profile' },
  drainSeconds: { flag: 'drain', name: '--drain' },
  bufferSeconds: { flag: 'buffer', name: '--buffer' },
};

export function parseConfig(file: string, text: string, knownRules: ReadonlySet<string>): LameduckConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const where = (path: (string | number)[]) => {
    const node = document.getIn(path, true);
    const offset = isScalar(node) || isMap(node) || isSeq(node) ? (node.range?.[0] ?? 0) : 0;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const fail = (message: string, path: (string | number)[], hint: string): never => {
    throw new InputError(message, file, where(path), hint);
  };
  if (document.errors[0])
    fail(`invalid YAML: ${document.errors[0].message.split('\n')[0]}`, [], 'fix the syntax');
  const value: unknown = document.toJS() ?? {};
  if (!isObject(value))
    return fail('the configuration must be a mapping', [], `see ${CONFIG_FILE} in the README`);
  const config = value as JsonObject;
  for (const key of Object.keys(config)) {
    if (!(key in schema.properties)) {
      fail(`unknown key "${key}"`, [key], `known keys: ${Object.keys(schema.properties).join(', ')}`);
    }
  }
  const asText = (key: string): string | undefined => {
    if (config[key] === undefined) return undefined;
    // A plain 1.30 is the number 1.3 in YAML; a version means what was written, so read the source.
    const node = document.get(key, true);
    if (isScalar(node) && typeof node.value === 'number' && node.range) {
      return text.slice(node.range[0], node.range[1]);
    }
    return String(config[key]);
  };
  if (config.profile !== undefined && !schema.properties.profile?.enum?.includes(String(config.profile))) {
    fail(
      `profile must be one of ${schema.properties.profile?.enum?.join(', ')}`,
      ['profile'],
      'or give nodes',
    );
  }
  const severities = new Map<string, 'error' | 'warning' | 'info' | 'off'>();
  const rules = config.rules ?? {};
  if (!isObject(rules))
    fail(
      'rules must map rule ids to error, warning, info or off',
      ['rules'],
      'e.g. rules: {single-replica: off}',
    );
  for (const [id, severity] of Object.entries(rules as JsonObject)) {
    if (!knownRules.has(id))
      fail(`unknown rule "${id}"`, ['rules', id], 'see docs/rules.md for the rule ids');
    const allowed = schema.properties.rules?.additionalProperties?.enum ?? [];
    if (!allowed.includes(String(severity)))
      fail(
        `rule ${id}: "${String(severity)}" is not one of ${allowed.join(', ')}`,
        ['rules', id],
        'use error, warning, info or off',
      );
    severities.set(id, String(severity) as 'error' | 'warning' | 'info' | 'off');
  }
  const images = new Map<string, string>();
  const imageMap = config.images ?? {};
  if (!isObject(imageMap))
    fail(
      'images must map image names to Dockerfile paths',
      ['images'],
      'e.g. images: {registry.example.com/api: services/api/Dockerfile}',
    );
  for (const [image, path] of Object.entries(imageMap as JsonObject)) images.set(image, String(path));
  const ignore = config.ignore ?? [];
  if (!Array.isArray(ignore))
    fail('ignore must be a list of glob patterns', ['ignore'], 'e.g. ignore: ["charts/**"]');
  const helm = config.helm ?? {};
  if (!isObject(helm)) fail('helm must be a mapping', ['helm'], 'e.g. helm: {values: [ci/values.yaml]}');
  for (const key of Object.keys(helm as JsonObject))
    if (key !== 'values' && key !== 'set')
      fail(`unknown key "helm.${key}"`, ['helm', key], 'helm takes values and set');
  const helmList = (key: 'values' | 'set', example: string): string[] => {
    const list = (helm as JsonObject)[key] ?? [];
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === ''))
      fail(`helm.${key} must be a list of strings`, ['helm', key], `e.g. helm: {${key}: [${example}]}`);
    return list as string[];
  };
  const helmValues = helmList('values', 'ci/values.yaml');
  const helmSet = helmList('set', 'replicaCount=3');
  for (const [index, assignment] of helmSet.entries())
    if (!assignment.includes('='))
      fail(`helm.set "${assignment}" is not KEY=VALUE`, ['helm', 'set', index], 'e.g. replicaCount=3');
  const flags: Record<string, string> = {};
  for (const [key, { flag, name }] of Object.entries(FLAG_KEYS)) {
    const value = asText(key);
    if (value === undefined) continue;
    // The flags' own checks, reported at this file's line under this file's name for the value.
    try {
      resolvePlanOptions({ [flag]: value });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      fail(error.message.replace(name, key), [key], `see ${CONFIG_FILE} in the README`);
    }
    flags[flag] = value;
  }
  return {
    flags: flags as PlanFlags,
    severities,
    images,
    ignore: (ignore as unknown[]).map((glob) => globToRegExp(String(glob))),
    helm: { values: helmValues, set: helmSet },
  };
}

/** The file named by --config, else .lameduck.yaml in the working directory if there is one. */
export async function loadConfig(
  explicit: string | undefined,
  knownRules: ReadonlySet<string>,
): Promise<LameduckConfig> {
  const file = explicit ?? CONFIG_FILE;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (!explicit && (error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_CONFIG;
    throw new InputError('cannot read the configuration file', file, undefined, 'check --config');
  }
  return parseConfig(file, text, knownRules);
}

/** Flags given on the command line win over the file; the file wins over built-in defaults. */
export function withConfig<F extends PlanFlags>(flags: F, config: LameduckConfig): F {
  const merged: Record<string, unknown> = { ...config.flags };
  for (const [key, value] of Object.entries(flags)) if (value !== undefined) merged[key] = value;
  // --nodes and --profile are alternatives: one on the command line replaces the file's other.
  if (flags.nodes !== undefined) delete merged.profile;
  if (flags.profile !== undefined) delete merged.nodes;
  return merged as F;
}

/** The values charts render with: the config file's, then the command line's (which win), for the target version. */
export function helmValues(config: LameduckConfig, flags: HelmFlags, kubeVersion: KubeVersion): HelmOptions {
  return {
    values: [...config.helm.values, ...(flags.helmValues ?? [])],
    set: [...config.helm.set, ...(flags.helmSet ?? [])],
    kubeVersion: formatKubeVersion(kubeVersion),
  };
}
