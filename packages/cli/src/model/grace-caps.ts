/**
 * Admission policies in the input that cap terminationGracePeriodSeconds: Kyverno validate rules
 * (a pattern such as "<=60", or deny conditions comparing the field with a number) and Gatekeeper
 * constraints whose template's Rego compares the field with a number or a parameter. Only these
 * simple forms are read; a policy whose reach or condition lameduck cannot be sure of is left out.
 * Sources: docs/rules.md (grace-period-capped-by-policy).
 */
import { getIn, getObject, getString, isObject, type JsonObject, type Path } from './json.js';
import { type Neighbours, namespaceOf } from './neighbours.js';

export interface GraceCap {
  /** The highest terminationGracePeriodSeconds the policy admits. */
  readonly maxSeconds: number;
  /** The policy or constraint, and where in it the cap is written. */
  readonly policy: JsonObject;
  readonly path: Path;
  /** "Kyverno ClusterPolicy max-grace", "Gatekeeper K8sMaxGrace max-grace". */
  readonly name: string;
  /** The cap as written: 'pattern "<=60"', "deny when > 60", "Rego > input.parameters.max (60)". */
  readonly written: string;
  /** Whether the API server rejects the pod (Enforce, deny) or the policy only reports it (Audit, dryrun, warn). */
  readonly enforced: boolean;
}

const FIELD = 'terminationGracePeriodSeconds';
/** Kyverno's autogen and the pods the workload creates: a rule on Pods reaches every workload. */
const POD_KIND = 'Pod';

/** The object kinds a workload's pod spec is checked as: the pods it creates, and the workload itself. */
function reaches(kinds: readonly string[], workloadKind: string): 'pod' | 'workload' | undefined {
  const bare = kinds.map((kind) => kind.split('/').at(-1));
  if (bare.includes(POD_KIND) || bare.includes('*')) return 'pod';
  return bare.includes(workloadKind) ? 'workload' : undefined;
}

const onlyKeys = (object: JsonObject, allowed: readonly string[]) =>
  Object.keys(object).every((key) => allowed.includes(key));

/**
 * The resource filters of a Kyverno match or exclude block, any of which selects, when they name
 * nothing lameduck cannot check (only kinds and namespaces).
 */
function kyvernoResourceBlocks(block: unknown): JsonObject[] | undefined {
  if (!isObject(block)) return undefined;
  // Several `all` filters must hold together: what they select is not a simple union.
  if (Array.isArray(block.all) && block.all.length > 1) return undefined;
  const filters = [
    ...(isObject(block.resources) ? [block] : []),
    ...(['any', 'all'] as const).flatMap((key) => (Array.isArray(block[key]) ? block[key] : [])),
  ];
  const resources = filters.map((filter) => (isObject(filter) ? filter.resources : undefined));
  if (resources.length === 0 || !resources.every(isObject)) return undefined;
  return resources.every((r) => onlyKeys(r, ['kinds', 'namespaces'])) &&
    filters.every((f) => isObject(f) && onlyKeys(f, ['resources']))
    ? resources
    : undefined;
}

const listOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** Whether a Kyverno rule reaches the workload, and as what; undefined when not, or not surely. */
function kyvernoReach(
  rule: JsonObject,
  policy: JsonObject,
  workloadKind: string,
  namespace: string,
): 'pod' | 'workload' | undefined {
  if (policy.kind === 'Policy' && namespaceOf(policy) !== namespace) return undefined;
  const matches = kyvernoResourceBlocks(rule.match);
  if (!matches) return undefined;
  if (rule.exclude !== undefined) {
    const excludes = kyvernoResourceBlocks(rule.exclude);
    if (!excludes || excludes.some((r) => r.kinds !== undefined)) return undefined;
    if (excludes.some((r) => listOf(r.namespaces).includes(namespace))) return undefined;
  }
  if (rule.preconditions !== undefined) return undefined;
  const reached = matches.filter(
    (r) => r.namespaces === undefined || listOf(r.namespaces).includes(namespace),
  );
  const as = reached.map((r) => reaches(listOf(r.kinds), workloadKind));
  return as.includes('pod') ? 'pod' : as.includes('workload') ? 'workload' : undefined;
}

/** A pattern value that caps a number: "<=60", "<61", "1-60" (Kyverno's range operator). */
function patternCap(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const atMost = /^<=\s*(\d+)$/.exec(text);
  if (atMost) return Number(atMost[1]);
  const below = /^<\s*(\d+)$/.exec(text);
  if (below) return Number(below[1]) - 1;
  const range = /^(\d+)-(\d+)$/.exec(text);
  return range ? Number(range[2]) : undefined;
}

/** The key of a pattern map, with a conditional or equality anchor (`=(key)`) taken off. */
function patternEntry(pattern: unknown, key: string): { key: string; value: unknown } | undefined {
  if (!isObject(pattern)) return undefined;
  for (const written of [key, `=(${key})`]) {
    if (written in pattern) return { key: written, value: pattern[written] };
  }
  return undefined;
}

function patternAt(
  pattern: unknown,
  path: readonly string[],
): { path: string[]; value: unknown } | undefined {
  let node: unknown = pattern;
  const written: string[] = [];
  for (const key of path) {
    const entry = patternEntry(node, key);
    if (!entry) return undefined;
    written.push(entry.key);
    node = entry.value;
  }
  return { path: written, value: node };
}

const isNumber = (value: unknown): value is number | string =>
  (typeof value === 'number' && Number.isFinite(value)) ||
  (typeof value === 'string' && /^\d+$/.test(value.trim()));

/** A deny condition that caps the field: `field > N`, `field >= N`, `N < field`, `N <= field`. */
function conditionCap(condition: unknown): { max: number; written: string } | undefined {
  if (!isObject(condition)) return undefined;
  const { key, operator, value } = condition;
  const mentions = (side: unknown) => typeof side === 'string' && side.includes(FIELD);
  if (mentions(key) && isNumber(value)) {
    const n = Number(value);
    if (operator === 'GreaterThan') return { max: n, written: `deny when ${FIELD} > ${n}` };
    if (operator === 'GreaterThanOrEquals') return { max: n - 1, written: `deny when ${FIELD} >= ${n}` };
  }
  if (mentions(value) && isNumber(key)) {
    const n = Number(key);
    if (operator === 'LessThan') return { max: n, written: `deny when ${n} < ${FIELD}` };
    if (operator === 'LessThanOrEquals') return { max: n - 1, written: `deny when ${n} <= ${FIELD}` };
  }
  return undefined;
}

/**
 * The deny conditions that each deny on their own: every entry of `any`, or the single entry of
 * `all` (or of the older plain list). With several `all` entries the cap holds only with the others.
 */
function denyCaps(conditions: unknown): { index: Path; cap: { max: number; written: string } }[] {
  const all = Array.isArray(conditions) ? conditions : isObject(conditions) ? conditions.all : undefined;
  const any = isObject(conditions) && Array.isArray(conditions.any) ? conditions.any : [];
  const allPath: Path = Array.isArray(conditions) ? [] : ['all'];
  const alone = Array.isArray(all) && all.length === 1 && any.length === 0 ? [[...allPath, 0] as Path] : [];
  const each = Array.isArray(all) && all.length > 0 ? [] : any.map((_, i) => ['any', i] as Path);
  return [...alone, ...each].flatMap((index) => {
    const cap = conditionCap(getIn(conditions, index));
    return cap ? [{ index, cap }] : [];
  });
}

function kyvernoCaps(policy: JsonObject, workloadKind: string, namespace: string): GraceCap[] {
  const rules = getIn(policy, ['spec', 'rules']);
  if (!Array.isArray(rules)) return [];
  const name = `Kyverno ${policy.kind} ${getString(policy, ['metadata', 'name']) ?? ''}`;
  const policyAction = getString(policy, ['spec', 'validationFailureAction']) ?? 'Audit';
  return rules.flatMap((rule, index): GraceCap[] => {
    if (!isObject(rule) || !isObject(rule.validate)) return [];
    const reach = kyvernoReach(rule, policy, workloadKind, namespace);
    if (reach === undefined) return [];
    const action = getString(rule.validate, ['failureAction']) ?? policyAction;
    const enforced = action.toLowerCase() === 'enforce';
    const base: Path = ['spec', 'rules', index, 'validate'];
    const fieldPath = reach === 'pod' ? ['spec', FIELD] : ['spec', 'template', 'spec', FIELD];
    const found = patternAt(rule.validate.pattern, fieldPath);
    const fromPattern = found === undefined ? undefined : patternCap(found.value);
    const caps: GraceCap[] =
      found && fromPattern !== undefined
        ? [
            {
              maxSeconds: fromPattern,
              policy,
              path: [...base, 'pattern', ...found.path],
              name,
              written: `pattern "${String(found.value)}"`,
              enforced,
            },
          ]
        : [];
    const conditions = getIn(rule.validate, ['deny', 'conditions']);
    for (const { index: at, cap } of denyCaps(conditions)) {
      caps.push({
        maxSeconds: cap.max,
        policy,
        path: [...base, 'deny', 'conditions', ...at],
        name,
        written: cap.written,
        enforced,
      });
    }
    return caps;
  });
}

/** `terminationGracePeriodSeconds > 60` or `> input.parameters.max` in a violation rule's Rego. */
const REGO_CAP = new RegExp(`${FIELD}\\s*(>=?)\\s*(\\d+|input\\.parameters\\.([A-Za-z_]\\w*))`);

/** The cap a ConstraintTemplate's Rego writes, when it writes one. */
function regoCap(template: JsonObject): RegExpExecArray | null {
  const targets = getIn(template, ['spec', 'targets']);
  return REGO_CAP.exec(
    (Array.isArray(targets) ? targets : []).map((t) => getString(t, ['rego']) ?? '').join('\n'),
  );
}

function gatekeeperCap(
  constraint: JsonObject,
  template: JsonObject,
  found: RegExpExecArray,
  workloadKind: string,
  namespace: string,
): GraceCap[] {
  const kind = getString(constraint, ['kind']);
  const match = getObject(constraint, ['spec', 'match']) ?? {};
  if (!onlyKeys(match, ['kinds', 'namespaces', 'excludedNamespaces'])) return [];
  if (match.namespaces !== undefined && !listOf(match.namespaces).includes(namespace)) return [];
  if (listOf(match.excludedNamespaces).includes(namespace)) return [];
  const kinds = Array.isArray(match.kinds) ? match.kinds.flatMap((k) => listOf(getIn(k, ['kinds']))) : ['*'];
  if (reaches(kinds, workloadKind) === undefined) return [];
  const [, operator, bound, parameter] = found;
  const path: Path = ['spec', 'parameters', parameter ?? ''];
  const raw = parameter ? getIn(constraint, path) : bound;
  if (!isNumber(raw)) return [];
  const limit = Number(raw);
  const action = getString(constraint, ['spec', 'enforcementAction']) ?? 'deny';
  return [
    {
      maxSeconds: operator === '>=' ? limit - 1 : limit,
      // A bound written in the Rego is found in the template; a parameter, in the constraint.
      policy: parameter ? constraint : template,
      path: parameter ? path : ['spec', 'targets'],
      name: `Gatekeeper ${kind} ${getString(constraint, ['metadata', 'name']) ?? ''}`,
      written: `Rego ${FIELD} ${operator} ${parameter ? `input.parameters.${parameter} (${limit})` : limit}`,
      enforced: action === 'deny',
    },
  ];
}

/** The caps on a workload's grace period among the input's policies, lowest first. */
export function graceCaps(neighbours: Neighbours, workloadKind: string, namespace: string): GraceCap[] {
  const kyverno = ['ClusterPolicy', 'Policy'].flatMap((kind) =>
    neighbours
      .objectsOfKind(kind)
      .filter((policy) => getString(policy, ['apiVersion'])?.startsWith('kyverno.io/'))
      .flatMap((policy) => kyvernoCaps(policy, workloadKind, namespace)),
  );
  // A constraint's kind is the one its template declares.
  const gatekeeper = neighbours.objectsOfKind('ConstraintTemplate').flatMap((template) => {
    const found = regoCap(template);
    const kind = getString(template, ['spec', 'crd', 'spec', 'names', 'kind']);
    if (!found || kind === undefined) return [];
    return neighbours
      .objectsOfKind(kind)
      .filter((constraint) => getString(constraint, ['apiVersion'])?.startsWith('constraints.gatekeeper.sh/'))
      .flatMap((constraint) => gatekeeperCap(constraint, template, found, workloadKind, namespace));
  });
  return [...kyverno, ...gatekeeper].sort((a, b) => a.maxSeconds - b.maxSeconds);
}
