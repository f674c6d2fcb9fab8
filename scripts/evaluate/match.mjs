// What the evaluation compares, kept apart from its I/O so that it can be tested: whether a
// finding's line lands in the object it names, and which hand verdict a finding gets.

const FRONT_KINDS = new Set([
  'Service',
  'Ingress',
  'IngressClass',
  'Namespace',
  'ConfigMap',
  'BackendConfig',
  // Not in front, but beside it: the autoscaler whose minimum sets its replica count.
  'HorizontalPodAutoscaler',
  'ScaledObject',
]);

export function objectKey(object) {
  const parts = [object.kind, object.namespace ?? '', object.name];
  if (object.container) parts.push(object.container);
  return parts.join('/');
}

/**
 * Whether the finding's line lies in the YAML document of the object it names (and, for a
 * container finding, in that container's block), or in an object in front of it (an Ingress,
 * Service or Namespace, where the rules about load balancers point). Dockerfile and app-config
 * findings need a line inside the file.
 */
export function lineLands(finding, text) {
  if (text === undefined) return { ok: false, why: 'file not found' };
  const lines = text.split('\n');
  const line = lines[finding.line - 1];
  if (line === undefined) return { ok: false, why: `line ${finding.line} past the end (${lines.length})` };
  if (finding.object.kind === 'Dockerfile' || finding.object.kind === 'AppConfig') return { ok: true, line };
  // A Helm template that renders the object through a helper: the line that includes it.
  if (/\{\{-?\s*(?:include|template)\s/.test(line)) return { ok: true, line, via: 'include' };
  let start = finding.line - 1;
  while (start > 0 && !/^---/.test(lines[start])) start -= 1;
  let end = finding.line - 1;
  while (end < lines.length - 1 && !/^---/.test(lines[end + 1])) end += 1;
  const document = lines.slice(start, end + 1);
  const escapeRegExp = (value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A Helm template names its objects with actions ({{ include "x.fullname" . }}): any name then.
  const names = (value) =>
    new RegExp(`^\\s*(?:-\\s+)?name:\\s+(?:["']?${escapeRegExp(value)}["']?|.*\\{\\{.*)\\s*(?:#.*)?$`);
  const kind = document.map((text) => /^kind: ["']?(\w+)["']?\s*$/.exec(text)?.[1]).find(Boolean);
  // A part of the object written elsewhere (the pod a Helm helper writes, a container a JSON 6902
  // patch appends): no kind there; a container finding must still be in that container.
  if (kind === undefined) {
    const container = finding.object.container;
    if (container && !names(container).test(line) && !inContainer(lines, finding.line - 1, container, names))
      return { ok: false, why: `line ${finding.line} is not in container ${finding.object.container}`, line };
    return { ok: true, line, via: 'part' };
  }
  // The rules about what stands in front of the pod point at the object to edit there.
  if (kind !== finding.object.kind && FRONT_KINDS.has(kind)) return { ok: true, line, front: kind };
  if (kind !== finding.object.kind)
    return { ok: false, why: `line ${finding.line} is not in a ${finding.object.kind}`, line };
  // A patch that targets objects by kind or label names none of them (`name: ignored-by-kustomize`):
  // its container block, named, is the place.
  const patchedContainer =
    finding.object.container !== null &&
    finding.object.container !== undefined &&
    inContainer(lines, finding.line - 1, finding.object.container, names);
  if (!document.some((text) => names(finding.object.name).test(text)) && !patchedContainer)
    return { ok: false, why: `line ${finding.line} is not in ${finding.object.name}`, line };
  if (finding.object.container && !inContainer(lines, finding.line - 1, finding.object.container, names))
    return { ok: false, why: `line ${finding.line} is not in container ${finding.object.container}`, line };
  return { ok: true, line };
}

const indentOf = (text) => text.length - text.trimStart().length;

/**
 * Whether line `at` lies in the item of a `containers:` or `initContainers:` list named `container`
 * (kustomize sorts keys, so the name may come after the line).
 */
function inContainer(lines, at, container, names) {
  for (let item = at; item >= 0; item -= 1) {
    const dash = /^(\s*)- /.exec(lines[item]);
    if (!dash || (item !== at && dash[1].length >= indentOf(lines[at]))) continue;
    let parent = item - 1;
    const sibling = (text) => indentOf(text) === dash[1].length && text.trimStart().startsWith('- ');
    // A line that is only a template action (`{{ include "x" . | indent 8 }}` at column 0) renders
    // at its own indentation: it ends no block.
    const action = (text) => /^\s*\{\{.*\}\}\s*$/.test(text);
    // Nor does a comment, wherever it starts (a commented-out flag at column 0).
    const skipped = (text) => text.trim() === '' || text.trimStart().startsWith('#');
    while (
      parent >= 0 &&
      (skipped(lines[parent]) ||
        indentOf(lines[parent]) > dash[1].length ||
        sibling(lines[parent]) ||
        action(lines[parent]))
    )
      parent -= 1;
    if (parent < 0 || !/^\s*(?:initContainers|containers):\s*$/.test(lines[parent])) continue;
    let end = item + 1;
    while (end < lines.length && (skipped(lines[end]) || indentOf(lines[end]) > dash[1].length)) end += 1;
    const fieldIndent = dash[1].length + 2;
    return lines
      .slice(item, end)
      .some((text, index) => names(container).test(text) && (index === 0 || indentOf(text) === fieldIndent));
  }
  return false;
}

/** A verdict's object matches the finding's; `*` stands for any characters (Helm's random test-pod names). */
export function objectMatches(pattern, key) {
  if (!pattern.includes('*')) return pattern === key;
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`).test(key);
}

/**
 * The hand verdict of a finding: the same run, rule and object, in the same file at the closest line
 * (lines drift between commits of lameduck); failing that, the same object in another file, since
 * a verdict is about the object (a kustomize finding that moves from the rendered output to its
 * source file keeps its verdict). `byObject` says which.
 */
export function judge(finding, runId, verdicts) {
  const key = objectKey(finding.object);
  const same = verdicts.filter(
    (verdict) => verdict.run === runId && verdict.rule === finding.rule && objectMatches(verdict.object, key),
  );
  const closest = (candidates) =>
    [...candidates].sort(
      (a, b) => Math.abs(Number(a.line) - finding.line) - Math.abs(Number(b.line) - finding.line),
    )[0];
  const inFile = closest(same.filter((verdict) => verdict.file === finding.file || verdict.file === '*'));
  if (inFile) return inFile;
  const elsewhere = closest(same);
  return elsewhere && { ...elsewhere, byObject: true };
}
