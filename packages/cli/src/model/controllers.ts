/**
 * Whether a pod runs a controller: its ServiceAccount is bound (RoleBinding or ClusterRoleBinding
 * in the input) to a role that may watch the API. A controller of one replica that its author keeps
 * from ever running twice (`strategy: Recreate`) is a singleton by design, not an outage waiting to
 * happen: two copies would act on the same objects (external-dns on one DNS zone, an operator on
 * the same databases).
 */
import { getIn, getString, isObject, type JsonObject } from './json.js';
import { type Neighbours, namespaceOf } from './neighbours.js';
import type { PodTemplate } from './workloads.js';

const asList = (value: unknown): JsonObject[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** The role a binding names grants watch (or every verb) on something. */
function roleWatches(role: JsonObject): boolean {
  return asList(getIn(role, ['rules'])).some((rule) => {
    const verbs = getIn(rule, ['verbs']);
    return Array.isArray(verbs) && verbs.some((verb) => verb === 'watch' || verb === '*');
  });
}

/** The role that lets the pod's ServiceAccount watch the API, named as a reader would; else undefined. */
export function watchingRole(
  template: PodTemplate,
  workload: JsonObject,
  objectsOfKind: Neighbours['objectsOfKind'],
): string | undefined {
  const account = getString(template.spec, ['serviceAccountName']) ?? 'default';
  const namespace = namespaceOf(workload);
  for (const bindingKind of ['ClusterRoleBinding', 'RoleBinding']) {
    for (const binding of objectsOfKind(bindingKind)) {
      const bound = asList(getIn(binding, ['subjects'])).some(
        (subject) =>
          getString(subject, ['kind']) === 'ServiceAccount' &&
          getString(subject, ['name']) === account &&
          (getString(subject, ['namespace']) ?? namespaceOf(binding)) === namespace,
      );
      if (!bound) continue;
      const roleKind = getString(binding, ['roleRef', 'kind']) ?? 'ClusterRole';
      const roleName = getString(binding, ['roleRef', 'name']);
      const role = objectsOfKind(roleKind).find(
        (candidate) =>
          getString(candidate, ['metadata', 'name']) === roleName &&
          (roleKind === 'ClusterRole' || namespaceOf(candidate) === namespaceOf(binding)),
      );
      if (role && roleWatches(role)) return `${roleKind} ${roleName}`;
    }
  }
  return undefined;
}
