/** Runs the rules over every workload, places each finding at file:line:column, applies suppressions. */

import type { DockerfileContext } from '../dockerfile/facts.js';
import { type KubeObject, place } from '../manifests/objects.js';
import type { WorkloadAnalysis } from '../model/analyze.js';
import type { Change } from '../model/changes.js';
import { getString } from '../model/json.js';
import type { PreStopCoverage } from '../model/parties.js';
import { isWorkloadKind, podTemplatePath } from '../model/workloads.js';
import { byCodeUnit } from '../output/order.js';
import type { AppConfigContext, AppConfigRule } from './app-config-rule.js';
import { type LocatedContext, workloadContexts } from './context.js';
import type { DockerfileRule } from './dockerfile-rule.js';
import type { ImageLinker } from './images.js';
import { formatMessage, type MessageData, type RuleMessage } from './messages.js';
import { type LintOptions, type Rule, type RuleMeta, SEVERITIES, type Severity } from './rule.js';
import { SourceLines } from './source-lines.js';

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly object: {
    readonly kind: string;
    readonly name: string;
    readonly namespace: string | null;
    readonly container: string | null;
  };
  readonly message: string;
  /** `<rule>/<id>`: which of the rule's messages this is, stable across wording changes. */
  readonly messageId: string;
  /** The values the message was filled with. */
  readonly data: MessageData;
  readonly fix: string;
  /** For kustomize output: the kustomization directories whose output has this finding. */
  readonly renderedBy?: readonly string[];
}

/** The text, qualified id and data of what a rule found. */
function saidBy(rule: RuleMeta, found: RuleMessage): Pick<Finding, 'message' | 'messageId' | 'data'> {
  return {
    message: formatMessage(rule.id, rule.messages, found),
    messageId: `${rule.id}/${found.messageId}`,
    data: found.data ?? {},
  };
}

export const IGNORE_ANNOTATION = 'lameduck.dev/ignore';
const IGNORE_COMMENT = /#\s*lameduck-ignore\s+([\w-]+(?:\s*,\s*[\w-]+)*)/;

export interface EngineOptions extends LintOptions {
  /** Per-rule severity, or 'off'. */
  readonly severities?: ReadonlyMap<string, Severity | 'off'>;
  readonly dockerfileFor?: ImageLinker;
}

function ignoredByAnnotation(object: KubeObject, ruleId: string): boolean {
  const lists = [
    getString(object.value, ['metadata', 'annotations', IGNORE_ANNOTATION]),
    isWorkloadKind(object.kind)
      ? getString(object.value, [
          ...podTemplatePath(object.kind),
          'metadata',
          'annotations',
          IGNORE_ANNOTATION,
        ])
      : undefined,
  ];
  return lists.some((list) => list?.split(',').some((id) => id.trim() === ruleId || id.trim() === 'all'));
}

/** `# lameduck-ignore rule-a, rule-b` on the line above the finding (or at its end). */
export function ignoredByComment(lines: readonly string[], line: number, ruleId: string): boolean {
  return [lines[line - 2], lines[line - 1]].some((candidate) => {
    const match = candidate ? IGNORE_COMMENT.exec(candidate) : null;
    return match?.[1]?.split(',').some((id) => id.trim() === ruleId) ?? false;
  });
}

/** A finding may speak lower than its rule (weaker evidence), never higher than the configured severity. */
function weaker(configured: Severity, own: Severity | undefined): Severity {
  return own !== undefined && SEVERITIES.indexOf(own) > SEVERITIES.indexOf(configured) ? own : configured;
}

/** A finding with the workload it was raised for, for fix. */
export interface LocatedFinding {
  readonly finding: Finding;
  readonly workload: KubeObject;
  /** The model's analysis of the workload the rules saw: what `fix` changes it from. */
  readonly analysis: WorkloadAnalysis;
  /** The rule's own edit for `fix`, when it has one. */
  readonly change?: Change;
  /** The preStop range the rules saw, which `fix` applies too. */
  readonly preStopCoverage: PreStopCoverage;
}

export function runRules(
  objects: readonly KubeObject[],
  rules: readonly Rule[],
  options: EngineOptions,
): Finding[] {
  return lintObjects(objects, rules, options).map((located) => located.finding);
}

/** Findings in reading order: file, line, column, then rule id. */
export function compareFindings(a: Finding, b: Finding): number {
  return byCodeUnit(a.file, b.file) || a.line - b.line || a.column - b.column || byCodeUnit(a.rule, b.rule);
}

/** The message as every format shows it: a finding in kustomize output names its overlays. */
export function shownMessage(finding: Finding): string {
  return finding.renderedBy
    ? `${finding.message} (in overlays: ${finding.renderedBy.join(', ')})`
    : finding.message;
}

/**
 * One finding per place in the user's files: a base's problem that several kustomize overlays
 * inherit is reported once, naming them all. A problem an overlay's own patch brings stays its own.
 * The same message id with the same fix is the same problem, even where the message's data names
 * the overlay's own objects (a namePrefix renames the Service it cites); a different fix (another
 * preStop range behind one overlay's load balancer) stays apart.
 */
export function mergeRendered(findings: readonly Finding[]): Finding[] {
  const merged = new Map<string, Finding>();
  const out: Finding[] = [];
  for (const finding of findings) {
    if (!finding.renderedBy) {
      out.push(finding);
      continue;
    }
    const { rule, file, line, column, messageId, fix } = finding;
    const key = JSON.stringify([rule, file, line, column, finding.object.container, messageId, fix]);
    const seen = merged.get(key);
    if (!seen) merged.set(key, finding);
    else {
      const renderedBy = [...new Set([...(seen.renderedBy ?? []), ...finding.renderedBy])].sort(byCodeUnit);
      merged.set(key, { ...seen, renderedBy });
    }
  }
  return [...out, ...merged.values()].sort(compareFindings);
}

/** `contexts` may be passed in when the caller needs them too, so workloads are analysed once. */
export function lintObjects(
  objects: readonly KubeObject[],
  rules: readonly Rule[],
  options: EngineOptions,
  contexts: readonly LocatedContext[] = workloadContexts(objects, options, options.dockerfileFor),
): LocatedFinding[] {
  const byValue = new Map(objects.map((o) => [o.value, o]));
  const lines = new SourceLines();
  const findings: LocatedFinding[] = [];
  for (const { object, context } of contexts) {
    for (const rule of rules) {
      const severity = options.severities?.get(rule.id) ?? rule.severity;
      if (severity === 'off' || ignoredByAnnotation(object, rule.id)) continue;
      for (const found of rule.check(context)) {
        const at = (found.in && byValue.get(found.in)) || object;
        const { source, position } = place(at, found.path);
        const { line, column } = position;
        if (ignoredByComment(lines.of(source.name, source.text), line, rule.id)) continue;
        const finding: Finding = {
          rule: rule.id,
          severity: weaker(severity, found.severity),
          file: source.name,
          line,
          column,
          object: {
            kind: object.kind,
            name: object.name,
            namespace: object.namespace ?? null,
            container: found.container ?? null,
          },
          ...saidBy(rule, found),
          fix: found.fix,
          ...(at.source.origin?.renderedBy ? { renderedBy: [at.source.origin.renderedBy] } : {}),
        };
        findings.push({
          finding,
          workload: object,
          analysis: context.analysis,
          preStopCoverage: context.preStopCoverage,
          ...(found.change ? { change: found.change } : {}),
        });
      }
    }
  }
  return findings.sort(({ finding: a }, { finding: b }) => compareFindings(a, b));
}

/** A finding of a file rule (Dockerfile, script, app config): placed by line, not by object path. */
interface FileFinding extends RuleMessage {
  readonly file?: string;
  /** Lower than the rule's severity when what the file starts serves no request. */
  readonly severity?: Severity;
  readonly line: number;
  readonly column?: number;
  readonly fix: string;
}

/** Runs file rules over their contexts with the same severities and suppression comments as manifests. */
function lintFiles<C>(
  contexts: readonly C[],
  rules: readonly (RuleMeta & { check(context: C): readonly FileFinding[] })[],
  describe: (context: C) => { file: string; text: (file: string) => string; kind: string },
  severities?: ReadonlyMap<string, Severity | 'off'>,
): Finding[] {
  const findings: Finding[] = [];
  const lines = new SourceLines();
  // One file serves many workloads (a Spring module behind every overlay's copy of a Deployment):
  // the same words at the same place are one finding.
  const said = new Set<string>();
  for (const context of contexts) {
    const { file: ownFile, text, kind } = describe(context);
    for (const rule of rules) {
      const severity = severities?.get(rule.id) ?? rule.severity;
      if (severity === 'off') continue;
      for (const found of rule.check(context)) {
        const file = found.file ?? ownFile;
        if (ignoredByComment(lines.of(file, text(file)), found.line, rule.id)) continue;
        const words = saidBy(rule, found);
        const key = JSON.stringify([rule.id, file, found.line, found.column, words.message, found.fix]);
        if (said.has(key)) continue;
        said.add(key);
        findings.push({
          rule: rule.id,
          severity: weaker(severity, found.severity),
          file,
          line: found.line,
          column: found.column ?? 1,
          object: { kind, name: ownFile, namespace: null, container: null },
          ...words,
          fix: found.fix,
        });
      }
    }
  }
  return findings;
}

/** The Dockerfile rules over every Dockerfile and the entrypoint script it copies in. */
export function lintDockerfiles(
  contexts: readonly DockerfileContext[],
  rules: readonly DockerfileRule[],
  severities?: ReadonlyMap<string, Severity | 'off'>,
): Finding[] {
  return lintFiles(
    contexts,
    rules,
    ({ facts, script }) => ({
      file: facts.file,
      text: (file) => (file === script?.file ? script.text : facts.text),
      kind: 'Dockerfile',
    }),
    severities,
  );
}

/** The app-config rules over every Spring or gunicorn config. */
export function lintAppConfigs(
  contexts: readonly AppConfigContext[],
  rules: readonly AppConfigRule[],
  severities?: ReadonlyMap<string, Severity | 'off'>,
): Finding[] {
  return lintFiles(
    contexts,
    rules,
    (context) => ({ file: context.file, text: () => context.text, kind: 'AppConfig' }),
    severities,
  );
}
