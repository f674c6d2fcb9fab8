/**
 * The strings an input configures its pods with (containers' env values, command and args, and
 * ConfigMaps' data), where one workload names another: a health URL, a pod's own DNS name.
 */
import { getIn, isObject, type JsonObject } from './json.js';
import type { Neighbours } from './neighbours.js';
import { podTemplatePath, WORKLOAD_KINDS } from './workloads.js';

/** The strings a pod template's containers are configured with: env values, command and args. */
function containerStrings(template: JsonObject): string[] {
  const strings: string[] = [];
  for (const list of ['initContainers', 'containers']) {
    const containers = getIn(template, ['spec', list]);
    for (const container of Array.isArray(containers) ? containers.filter(isObject) : []) {
      for (const field of ['command', 'args']) {
        const words = container[field];
        if (Array.isArray(words)) strings.push(...words.filter((w): w is string => typeof w === 'string'));
      }
      const env = container.env;
      for (const variable of Array.isArray(env) ? env.filter(isObject) : [])
        if (typeof variable.value === 'string') strings.push(variable.value);
    }
  }
  return strings;
}

/** Every configured string of the input, once per `objectsOfKind` (the input's index). */
const indexed = new WeakMap<Neighbours['objectsOfKind'], readonly string[]>();

export function configuredStrings(objectsOfKind: Neighbours['objectsOfKind']): readonly string[] {
  const known = indexed.get(objectsOfKind);
  if (known) return known;
  const strings: string[] = [];
  for (const kind of WORKLOAD_KINDS) {
    for (const workload of objectsOfKind(kind)) {
      const template = getIn(workload, podTemplatePath(kind));
      if (isObject(template)) strings.push(...containerStrings(template));
    }
  }
  for (const configMap of objectsOfKind('ConfigMap')) {
    const data = getIn(configMap, ['data']);
    if (isObject(data))
      strings.push(...Object.values(data).filter((v): v is string => typeof v === 'string'));
  }
  indexed.set(objectsOfKind, strings);
  return strings;
}

/** `text` as a literal inside a regular expression. */
export function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
