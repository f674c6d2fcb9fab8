/**
 * Safe fixes, written into the YAML with comments kept: the model's own recommendations (preStop,
 * grace period, rolling update), applied only where a rule that they fix has fired. Only the
 * documents that change are re-serialised; every other byte of the file stays as it was.
 */
import type { Document } from 'yaml';
import { type DockerfileContext, dockerfileFacts } from '../dockerfile/facts.js';
import type { KubeObject } from '../manifests/objects.js';
import type { ParsedSource } from '../manifests/parse.js';
import type { WorkloadAnalysis } from '../model/analyze.js';
import { assignments, type Change } from '../model/changes.js';
import { classifyPreStop, preStopSleepSeconds } from '../model/prestop.js';
import { recommend } from '../model/recommendations.js';
import { isWorkloadKind } from '../model/workloads.js';
import { printable } from '../output/errors.js';
import type { DockerfileRule } from './dockerfile-rule.js';
import type { Finding, LocatedFinding } from './engine.js';
import { applyEdits, type LineEdit, unifiedDiff, wholeLines } from './line-edits.js';
import type { LintOptions, Rule } from './rule.js';
import { keepFlowPadding, styleOf } from './yaml-style.js';

export interface FileFix {
  readonly file: string;
  readonly before: string;
  readonly after: string;
  /** What changed, line by line: what `--dry-run` shows. */
  readonly edits: readonly LineEdit[];
  /** The rule ids whose findings this edit fixes, one entry per finding. */
  readonly fixed: readonly string[];
}

function fileFix(
  file: string,
  before: string,
  edits: readonly LineEdit[],
  fixed: readonly string[],
): FileFix {
  return { file, before, after: applyEdits(before, edits), edits, fixed };
}

/** Which changes of the model's recommendation set the fired rules call for. */
function wantedChanges(
  workload: KubeObject,
  fired: readonly LocatedFinding[],
  rules: ReadonlyMap<string, Rule>,
  options: LintOptions,
): Change[] {
  // The analysis the rules saw: one for every finding of this workload.
  const analysis = fired[0]?.analysis;
  if (!analysis || !isWorkloadKind(workload.kind)) return [];
  const kinds = new Set(fired.map((f) => rules.get(f.finding.rule)?.fixedBy));
  const preStopContainers = new Set(
    fired
      .filter((f) => rules.get(f.finding.rule)?.fixedBy === 'prestop')
      .map((f) => f.finding.object.container),
  );
  const lowerLongSleeps = fired.some((f) => f.finding.rule === 'prestop-sleep-out-of-range');
  const preStopCoverage = fired[0]?.preStopCoverage;
  const all = recommend(analysis, workload.value, { ...options, lowerLongSleeps, preStopCoverage }).changes;
  const wanted = (change: Change) =>
    kinds.has(change.kind) && (change.kind !== 'prestop' || preStopContainers.has(change.container.name));
  // A longer preStop takes its time from the grace period: the grace the model gives it comes with it,
  // or the fix would leave a grace that the grace rules then flag.
  if (all.some((change) => wanted(change) && lengthensPreStop(change, analysis))) kinds.add('grace');
  const recommended = all.filter(wanted);
  // Edits a rule computed itself, once each: a rule firing for every container proposes the same one.
  const own = new Map(
    fired.flatMap((f) => (f.change ? [[JSON.stringify(f.change), f.change] as const] : [])),
  );
  return [...recommended, ...own.values()];
}

function lengthensPreStop(change: Change, analysis: WorkloadAnalysis): boolean {
  if (change.kind !== 'prestop') return false;
  const before = analysis.containers.find((c) => c.container.name === change.container.name)?.budget
    .preStopEffect.seconds;
  const after = preStopSleepSeconds(classifyPreStop({ lifecycle: { preStop: change.handler } }));
  return after !== undefined && after > (before ?? 0);
}

function editableDocument(source: ParsedSource, index: number): Document.Parsed {
  const document = source.editable?.[index];
  // A bug, not bad input: fix loads its files with their yaml documents kept.
  if (!document) throw new Error(`${source.name}: document ${index} was not parsed for editing`);
  return document;
}

/** The document as text again, in the style it was written in (yaml-style.ts). */
function serialise(document: Document.Parsed, source: string): string {
  const original = source.slice(document.range[0], document.range[1]);
  return keepFlowPadding(original, document.toString({ lineWidth: 0, ...styleOf(original) }));
}

export function planFixes(
  located: readonly LocatedFinding[],
  rules: readonly Rule[],
  options: LintOptions,
): FileFix[] {
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const fixable = located.filter((l) => byId.get(l.finding.rule)?.fixedBy !== undefined);
  const byWorkload = new Map<KubeObject, LocatedFinding[]>();
  for (const l of fixable) byWorkload.set(l.workload, [...(byWorkload.get(l.workload) ?? []), l]);

  const edits = new Map<string, { source: KubeObject['source']; changed: Set<number>; fixed: string[] }>();
  for (const [workload, fired] of byWorkload) {
    const changes = wantedChanges(workload, fired, byId, options);
    if (changes.length === 0 || !isWorkloadKind(workload.kind)) continue;
    const document = editableDocument(workload.source, workload.documentIndex);
    for (const change of changes) {
      for (const { path, value } of assignments(change, workload.kind)) {
        document.setIn([...workload.prefix, ...path], document.createNode(value));
      }
    }
    const edit = edits.get(workload.source.name) ?? {
      source: workload.source,
      changed: new Set<number>(),
      fixed: [],
    };
    edit.changed.add(workload.documentIndex);
    const appliedKinds = new Set(changes.map((c) => c.kind));
    edit.fixed.push(
      ...fired
        .filter((f) => appliedKinds.has(byId.get(f.finding.rule)?.fixedBy ?? 'grace'))
        .map((f) => f.finding.rule),
    );
    edits.set(workload.source.name, edit);
  }

  return [...edits.values()].map(({ source, changed, fixed }) => {
    const lineEdits = [...changed]
      .sort((a, b) => a - b)
      .map((index) => {
        const document = editableDocument(source, index);
        const start = index === 0 ? 0 : document.range[0];
        const end = document.range[1];
        let text = serialise(document, source.text);
        if (source.text[end] === '\n' && text.endsWith('\n')) text = text.slice(0, -1);
        return wholeLines(source.text, start, end, text);
      });
    return fileFix(source.name, source.text, lineEdits, fixed);
  });
}

/**
 * Where the findings that a fix of rendered output would mend are written: "file:line (rule)",
 * once each, in reading order. fix never writes rendered output; it names these. `onlyFiles`
 * leaves out findings that stayed in the rendered output (no file holds them).
 */
export function placesToChange(
  fix: FileFix,
  located: readonly LocatedFinding[],
  onlyFiles = false,
): string[] {
  return [
    ...new Set(
      located
        .filter((l) => l.workload.source.name === fix.file && fix.fixed.includes(l.finding.rule))
        .filter((l) => !onlyFiles || l.finding.file !== fix.file)
        .map(({ finding }) => `${printable(finding.file)}:${finding.line} (${finding.rule})`),
    ),
  ];
}

/**
 * What to change in a Helm chart for the fixes of its rendered output: fix never edits templates,
 * whose text is not the YAML it renders, so it names the template lines and shows the rendered
 * lines the chart should produce (through its values, or the template).
 */
export function chartFixAdvice(fix: FileFix, located: readonly LocatedFinding[]): string {
  const places = placesToChange(fix, located);
  return `${printable(fix.file)}: a Helm chart's rendered output, which fix does not write; change the values or templates at ${places.join(', ')} so that the chart renders:\n${unifiedDiff(fix.file, fix.before, fix.edits)}`;
}

/** Dockerfile fixes, one rule after another on the text each previous fix left. */
export function planDockerfileFixes(
  contexts: readonly DockerfileContext[],
  findings: readonly Finding[],
  rules: readonly DockerfileRule[],
): FileFix[] {
  const fixes: FileFix[] = [];
  for (const { facts } of contexts) {
    const fired = new Set(findings.filter((f) => f.file === facts.file).map((f) => f.rule));
    let text = facts.text;
    const fixed: string[] = [];
    for (const rule of rules) {
      if (!rule.fix || !fired.has(rule.id)) continue;
      const current = dockerfileFacts(facts.file, text);
      const next = current ? rule.fix(current) : undefined;
      if (next !== undefined && next !== text) {
        text = next;
        fixed.push(rule.id);
      }
    }
    if (text !== facts.text)
      fixes.push(fileFix(facts.file, facts.text, [{ start: 0, end: facts.text.length, text }], fixed));
  }
  return fixes;
}
