/**
 * A chart whose dependencies are not in charts/ (nothing is downloaded) still renders when every
 * missing one is switched off by its `condition` in the values: helm refuses any missing
 * dependency, enabled or not, so lint renders a copy of the chart without the disabled ones and
 * says so. A dependency that is on, or has no condition, stays an error.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, parse as parseYaml } from 'yaml';
import { getIn, isObject, type JsonObject } from '../model/json.js';

/** `a.b.c=false` as helm's --set writes a boolean; other forms are left to helm. */
function setBoolean(assignment: string): { path: string[]; value: boolean } | undefined {
  const match = /^([\w.-]+)=(true|false)$/.exec(assignment);
  return match ? { path: (match[1] as string).split('.'), value: match[2] === 'true' } : undefined;
}

function merge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const below = out[key];
    out[key] = isObject(below) && isObject(value) ? merge(below, value) : value;
  }
  return out;
}

/** The chart's values.yaml, then the user's values files, then their boolean --set assignments. */
export async function chartValues(
  directory: string,
  files: readonly string[],
  assignments: readonly string[],
): Promise<JsonObject> {
  let values: JsonObject = {};
  for (const file of [join(directory, 'values.yaml'), ...files]) {
    try {
      const parsed: unknown = parseYaml(await readFile(file, 'utf8'));
      if (isObject(parsed)) values = merge(values, parsed);
    } catch {
      // helm reports an unreadable values file itself.
    }
  }
  for (const assignment of assignments) {
    const set = setBoolean(assignment);
    if (!set) continue;
    const nested = set.path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), set.value);
    if (isObject(nested)) values = merge(values, nested);
  }
  return values;
}

/**
 * The missing dependencies' names when every one of them is switched off (its condition, the first
 * of its comma-separated paths that is set, is false), else undefined.
 */
export function disabledDependencies(
  chart: unknown,
  missing: readonly string[],
  values: JsonObject,
): string[] | undefined {
  const dependencies = getIn(chart, ['dependencies']);
  if (!Array.isArray(dependencies)) return undefined;
  // Helm names a missing dependency by its chart name, also where an alias renames it.
  const off = missing.every((name) => {
    const named = dependencies.filter((d) => isObject(d) && (d.alias === name || d.name === name));
    return named.length > 0 && named.every((dependency) => switchedOff(dependency, values));
  });
  return off && missing.length > 0 ? [...missing] : undefined;
}

function switchedOff(dependency: unknown, values: JsonObject): boolean {
  const condition = isObject(dependency) ? dependency.condition : undefined;
  if (typeof condition !== 'string') return false;
  const set = condition
    .split(',')
    .map((path) => getIn(values, path.trim().split('.')))
    .find((value) => typeof value === 'boolean');
  return set === false;
}

/** A copy of the chart without those dependencies (and without its lock file, which names them). */
export async function chartWithout(
  directory: string,
  chartText: string,
  names: readonly string[],
): Promise<{ directory: string; remove(): Promise<void> }> {
  const copy = await mkdtemp(join(tmpdir(), 'lameduck-chart-'));
  const remove = () => rm(copy, { recursive: true, force: true });
  try {
    await cp(directory, copy, { recursive: true, filter: (source) => !source.endsWith('/.git') });
    const document = parseDocument(chartText);
    const dependencies = getIn(document.toJS(), ['dependencies']);
    const listed = Array.isArray(dependencies) ? dependencies : [];
    for (let index = listed.length - 1; index >= 0; index--) {
      const dependency = listed[index];
      const named = isObject(dependency) ? [dependency.alias, dependency.name] : [];
      if (named.some((name) => typeof name === 'string' && names.includes(name)))
        document.deleteIn(['dependencies', index]);
    }
    await writeFile(join(copy, 'Chart.yaml'), String(document));
    await rm(join(copy, 'Chart.lock'), { force: true });
    return { directory: copy, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
