/**
 * RuleTester in ESLint's style: inputs that must not trigger a rule and inputs that must, with the
 * exact lines expected, for manifest, Dockerfile and app-config rules alike; for a fixable rule,
 * the text its fix leaves (`output`), which must then lint clean of the rule. Used by each rule's
 * test file.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { appSettings } from '../app-config/settings.js';
import { dockerfileFacts, npmStartScript, startedEntry } from '../dockerfile/facts.js';
import { RUNTIMES, type StartedApp, startedAppFacts } from '../dockerfile/started-app.js';
import type { AppConfigContext, AppConfigRule, ContainerBudget } from '../lint/app-config-rule.js';
import type { DockerfileRule } from '../lint/dockerfile-rule.js';
import { type Finding, lintAppConfigs, lintDockerfiles, lintObjects, runRules } from '../lint/engine.js';
import { planDockerfileFixes, planFixes } from '../lint/fix.js';
import type { ImageLinker } from '../lint/images.js';
import type { MessageData } from '../lint/messages.js';
import type { LintOptions, Rule, RuleMeta, Severity } from '../lint/rule.js';
import { objectsOf } from '../manifests/objects.js';
import { parseSource } from '../manifests/parse.js';
import type { ClusterProfile } from '../model/guide-tables.js';
import { DEFAULT_KUBE_VERSION, parseKubeVersion } from '../model/kube-version.js';

export interface RuleCase {
  readonly name: string;
  readonly yaml: string;
  readonly kubeVersion?: string;
  readonly profile?: ClusterProfile;
  readonly drainSeconds?: number;
  /** The Dockerfiles the workloads' images link to. */
  readonly dockerfileFor?: ImageLinker;
}

/** Every image linked by name to one Dockerfile, `file` with `text`, and what its context says of the app. */
export function linkedDockerfile(file: string, text: string, startedApp?: StartedApp): ImageLinker {
  const facts = dockerfileFacts(file, text) ?? assert.fail(`${file} has no FROM`);
  return () => ({ facts, ...(startedApp ? { startedApp } : {}), via: 'name' });
}

export interface InvalidCase extends RuleCase {
  /** Expected findings: line, and a pattern the message must match. */
  readonly findings: readonly (ExpectedFinding & { readonly container?: string })[];
  /** The file as `fix` leaves it; after it, the rule finds nothing. */
  readonly output?: string;
}

/**
 * Where a finding lands, which of the rule's messages it is (required when the rule has more than
 * one) with the data it must carry, a pattern its text must match, and one its fix hint must (or
 * must not).
 */
interface ExpectedFinding {
  readonly line: number;
  /** When the finding speaks lower than its rule (weaker evidence). */
  readonly severity?: Severity;
  readonly messageId?: string;
  readonly data?: MessageData;
  readonly message?: RegExp;
  readonly fix?: RegExp | { readonly not: RegExp };
}

function assertMessage(rule: RuleMeta, found: Finding | undefined, expected: ExpectedFinding): void {
  const ids = Object.keys(rule.messages);
  if (expected.messageId === undefined && ids.length > 1)
    assert.fail(`${rule.id} has messages ${ids.join(', ')}: say which one this finding is (messageId)`);
  assert.equal(found?.messageId, `${rule.id}/${expected.messageId ?? ids[0]}`, found?.message);
  for (const [name, value] of Object.entries(expected.data ?? {}))
    assert.equal(found?.data[name], value, `data.${name} of ${found?.messageId}`);
  if (expected.message) assert.match(found?.message ?? '', expected.message);
}

function assertFix(fix: string | undefined, expected: ExpectedFinding['fix']): void {
  if (expected === undefined) return;
  if (expected instanceof RegExp) assert.match(fix ?? '', expected);
  else assert.doesNotMatch(fix ?? '', expected.not);
}

export function lintYaml(rule: Rule, test: RuleCase) {
  const { parsed, errors } = parseSource({ name: 'test.yaml', text: test.yaml });
  assert.deepEqual(
    errors.map((e) => e.format()),
    [],
    'fixture must parse',
  );
  if (!parsed) assert.fail('fixture did not parse');
  return runRules(objectsOf(parsed).objects, [rule], {
    ...lintOptions(test),
    ...(test.dockerfileFor ? { dockerfileFor: test.dockerfileFor } : {}),
  });
}

function lintOptions(test: RuleCase): LintOptions {
  return {
    kubeVersion: test.kubeVersion
      ? (parseKubeVersion(test.kubeVersion) ?? assert.fail())
      : DEFAULT_KUBE_VERSION,
    profile: test.profile ?? 'medium',
    bufferSeconds: 10,
    drainSeconds: test.drainSeconds,
  };
}

/** The text `fix` writes for this case: the rule's fix applied as the command applies it. */
function fixedYaml(rule: Rule, test: RuleCase): string {
  const { parsed } = parseSource({ name: 'test.yaml', text: test.yaml });
  if (!parsed) assert.fail('fixture did not parse');
  const options = lintOptions(test);
  const [fix] = planFixes(lintObjects(objectsOf(parsed).objects, [rule], options), [rule], options);
  return fix?.after ?? test.yaml;
}

function assertOutput(rule: Rule, test: InvalidCase): void {
  if (test.output === undefined) return;
  assert.equal(fixedYaml(rule, test), test.output, 'the text fix leaves');
  assert.deepEqual(
    lintYaml(rule, { ...test, yaml: test.output }).map((f) => `${f.line}: ${f.message}`),
    [],
    'after the fix, the rule finds nothing',
  );
}

export function ruleTester(
  rule: Rule,
  cases: { valid: readonly RuleCase[]; invalid: readonly InvalidCase[] },
): void {
  for (const test of cases.valid) {
    it(`${rule.id}: valid: ${test.name}`, () => {
      assert.deepEqual(
        lintYaml(rule, test).map((f) => `${f.line}: ${f.message}`),
        [],
      );
    });
  }
  for (const test of cases.invalid) {
    it(`${rule.id}: invalid: ${test.name}`, () => {
      const findings = lintYaml(rule, test);
      assert.equal(
        findings.length,
        test.findings.length,
        findings.map((f) => `${f.line}: ${f.message}`).join('\n'),
      );
      test.findings.forEach((expected, i) => {
        const found = findings[i];
        assert.equal(found?.line, expected.line, found?.message);
        assertMessage(rule, found, expected);
        assert.equal(found?.severity, expected.severity ?? rule.severity);
        if (expected.container) assert.equal(found?.object.container, expected.container);
        assertFix(found?.fix, expected.fix);
      });
      assertOutput(rule, test);
    });
  }
}

/** A Deployment with one container, for fixtures; `container` and `podSpec` are YAML lines to splice in. */
export function deployment({ podSpec = '', container = '', replicas = 3, extra = '' } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}${extra}
  template:
    metadata:
      labels: {app: web}
    spec:${podSpec}
      containers:
        - name: app
          image: web:1
          ports:
            - containerPort: 8080${container}
`;
}

/** A ServiceAccount `dns` that a ClusterRole lets watch the API (external-dns). */
export const watcher =
  '---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: dns}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: external-dns}\nrules:\n  - {apiGroups: [""], resources: [services], verbs: [get, watch, list]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: external-dns}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: external-dns}\nsubjects: [{kind: ServiceAccount, name: dns, namespace: default}]\n';
/** One replica kept from running twice, under that account. */
export const singleton = deployment({
  replicas: 1,
  extra: '\n  strategy: {type: Recreate}',
  podSpec: '\n      serviceAccountName: dns',
});

export interface DockerfileCase {
  readonly name: string;
  readonly dockerfile: string;
  readonly script?: string;
  /** The build context's source files by name, for a `node <file>` or `python <file>` image. */
  readonly sources?: Readonly<Record<string, string>>;
}

export interface InvalidDockerfileCase extends DockerfileCase {
  readonly findings: readonly (ExpectedFinding & { readonly file?: string })[];
  /** The Dockerfile as `fix` leaves it; after it, the rule finds nothing. */
  readonly output?: string;
}

/** Valid and invalid cases of a rule over files (Dockerfiles, scripts, app configs): one shape for all. */
function fileRuleTester<
  C extends { readonly name: string },
  I extends C & { readonly findings: readonly ExpectedFinding[] },
>(
  rule: RuleMeta,
  cases: { valid: readonly C[]; invalid: readonly I[] },
  lint: (test: C) => Finding[],
  expectedFile: (test: I, expected: I['findings'][number]) => string,
  afterFindings: (test: I, findings: Finding[]) => void = () => {},
): void {
  for (const test of cases.valid) {
    it(`${rule.id}: valid: ${test.name}`, () =>
      assert.deepEqual(
        lint(test).map((f) => `${f.line}: ${f.message}`),
        [],
      ));
  }
  for (const test of cases.invalid) {
    it(`${rule.id}: invalid: ${test.name}`, () => {
      const findings = lint(test);
      assert.equal(findings.length, test.findings.length, findings.map((f) => f.message).join('\n'));
      test.findings.forEach((expected, i) => {
        assert.equal(findings[i]?.file, expectedFile(test, expected));
        assert.equal(findings[i]?.line, expected.line);
        assertMessage(rule, findings[i], expected);
        assert.equal(findings[i]?.severity, expected.severity ?? rule.severity);
        assertFix(findings[i]?.fix, expected.fix);
      });
      afterFindings(test, findings);
    });
  }
}

export function dockerfileRuleTester(
  rule: DockerfileRule,
  cases: { valid: readonly DockerfileCase[]; invalid: readonly InvalidDockerfileCase[] },
): void {
  const lint = (test: DockerfileCase) => {
    const facts = dockerfileFacts('Dockerfile', test.dockerfile) ?? assert.fail('fixture has no FROM');
    const script = test.script === undefined ? undefined : { file: 'entrypoint.sh', text: test.script };
    // The build context's sources, as manifests/load.ts reads them for the app the image starts.
    const files = test.sources ?? {};
    const packageJson = files['package.json'];
    const npmStart = packageJson === undefined ? undefined : npmStartScript(packageJson);
    const entry = startedEntry(facts, { goModule: 'go.mod' in files, ...(npmStart ? { npmStart } : {}) });
    const sources = Object.entries(files)
      .filter(([name]) => entry !== undefined && RUNTIMES[entry.runtime].sources.test(name))
      .map(([, text]) => ({ text }));
    const startedApp =
      entry && test.sources ? startedAppFacts(entry.runtime, entry.entry, entry.pid1, sources) : undefined;
    return lintDockerfiles(
      [{ facts, ...(script ? { script } : {}), ...(startedApp ? { startedApp } : {}) }],
      [rule],
    );
  };
  const fixedAsExpected = (test: InvalidDockerfileCase, findings: Finding[]) => {
    if (test.output === undefined) return;
    const facts = dockerfileFacts('Dockerfile', test.dockerfile) ?? assert.fail('fixture has no FROM');
    const [fix] = planDockerfileFixes([{ facts }], findings, [rule]);
    assert.equal(fix?.after ?? test.dockerfile, test.output, 'the text fix leaves');
    assert.deepEqual(lint({ ...test, dockerfile: test.output }), [], 'after the fix, the rule finds nothing');
  };
  fileRuleTester(rule, cases, lint, (_test, expected) => expected.file ?? 'Dockerfile', fixedAsExpected);
}

export interface AppConfigCase {
  readonly name: string;
  /** The config's file name (application.yml, application.properties, gunicorn.conf.py). */
  readonly file: string;
  readonly text: string;
  readonly springBootVersion?: string;
  /** The containers the config's Dockerfile builds, with their budgets. */
  readonly containers?: readonly ContainerBudget[];
  /** False for a profile or bootstrap file beside the module's application.yml. */
  readonly speaksForDefaults?: boolean;
  /** The argv the Dockerfile beside the config starts. */
  readonly startedWith?: readonly string[];
  readonly externalConfig?: string;
  readonly configMapShutdown?: AppConfigContext['configMapShutdown'];
}

export interface InvalidAppConfigCase extends AppConfigCase {
  readonly findings: readonly ExpectedFinding[];
}

export function appConfigRuleTester(
  rule: AppConfigRule,
  cases: { valid: readonly AppConfigCase[]; invalid: readonly InvalidAppConfigCase[] },
): void {
  const lint = (test: AppConfigCase) =>
    lintAppConfigs(
      [
        {
          file: test.file,
          text: test.text,
          settings: appSettings(test.file, test.text),
          ...(test.springBootVersion ? { springBootVersion: test.springBootVersion } : {}),
          containers: test.containers ?? [],
          speaksForDefaults: test.speaksForDefaults ?? true,
          ...(test.startedWith ? { startedWith: test.startedWith } : {}),
          ...(test.externalConfig ? { externalConfig: test.externalConfig } : {}),
          ...(test.configMapShutdown ? { configMapShutdown: test.configMapShutdown } : {}),
        },
      ],
      [rule],
    );
  fileRuleTester(rule, cases, lint, (test) => test.file);
}
