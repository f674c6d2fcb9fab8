/** `lameduck lint`: wiring only. */
import { type Command, Option } from 'commander';
import { CONFIG_FILE } from '../config/config.js';
import {
  budgetOptions,
  clusterOptions,
  formatOption,
  type OutputFormat,
  repositoryOptions,
} from '../flags/declare.js';
import type { PlanFlags } from '../flags/plan.js';
import { appConfigContexts } from '../lint/app-config-rule.js';
import { workloadContexts } from '../lint/context.js';
import {
  compareFindings,
  type Finding,
  lintAppConfigs,
  lintDockerfiles,
  lintObjects,
} from '../lint/engine.js';
import { formatGithub } from '../lint/formats/github.js';
import { formatJson } from '../lint/formats/json.js';
import { formatSarif } from '../lint/formats/sarif.js';
import { summarize } from '../lint/formats/summary.js';
import { formatText } from '../lint/formats/text.js';
import { loadLintInput } from '../lint/input.js';
import { ALL_RULES, APP_CONFIG_RULES, DOCKERFILE_RULES, RULES } from '../lint/registry.js';
import { SEVERITIES, type Severity } from '../lint/rule.js';
import { EXIT } from '../output/errors.js';
import type { Io } from '../output/io.js';
import { colorEnabled, createStyle } from '../output/style.js';

interface LintFlags extends PlanFlags {
  readonly format: OutputFormat;
  readonly failOn: Severity;
  readonly config?: string;
  readonly allowRemote?: boolean;
}

export function registerLint(program: Command, io: Io, setExit: (code: number) => void): void {
  repositoryOptions(budgetOptions(clusterOptions(program.command('lint'))), CONFIG_FILE)
    .description('find termination bugs in Kubernetes manifests, with exact file:line')
    .argument('[paths...]', 'files or directories (walked); - reads stdin', ['.'])
    .addOption(
      new Option('--fail-on <severity>', 'lowest severity that fails the run')
        .choices(SEVERITIES)
        .default('error'),
    )
    .addOption(formatOption(['text', 'json', 'sarif', 'github']))
    .addHelpText(
      'after',
      `
Examples:
  lameduck lint k8s/
  helm template my-release ./chart | lameduck lint -
  lameduck lint deploy.yaml --format sarif > lameduck.sarif

Suppress: annotation lameduck.dev/ignore: rule-a,rule-b, or a '# lameduck-ignore rule-a' comment above the line.
Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or input errors.`,
    )
    .action(async (paths: string[], flags: LintFlags) => {
      const { findings, summary, sources, errors } = await lintFiles(paths, flags, io);
      const output: Record<OutputFormat, () => string> = {
        text: () => formatText(findings, summary, sources, createStyle(colorEnabled(io.stdout, io.env))),
        json: () => formatJson(findings, summary),
        sarif: () => formatSarif(findings, ALL_RULES),
        github: () => formatGithub(findings),
      };
      io.stdout.write(output[flags.format]());
      const threshold = SEVERITIES.indexOf(flags.failOn);
      const failing = findings.some((f) => SEVERITIES.indexOf(f.severity) <= threshold);
      setExit(errors > 0 ? EXIT.usage : failing ? EXIT.findings : EXIT.ok);
    });
}

/** Lint what is at `paths`, reporting input problems and notes on stderr; `collect` reuses it. */
export async function lintFiles(
  paths: readonly string[],
  flags: PlanFlags & { readonly config?: string },
  io: Io,
): Promise<{
  findings: Finding[];
  summary: ReturnType<typeof summarize>;
  sources: Map<string, string>;
  errors: number;
}> {
  const { config, loaded, options } = await loadLintInput(paths, flags, () => io.readStdin());
  for (const problem of loaded.errors) io.stderr.write(`lameduck lint: ${problem.format()}\n`);
  for (const note of loaded.notes) io.stderr.write(`lameduck lint: note: ${note}\n`);
  const workloads = workloadContexts(loaded.objects, options, options.dockerfileFor);
  const appContexts = appConfigContexts(
    loaded.appConfigs,
    loaded.dockerfiles.map((d) => d.facts),
    workloads,
  );
  const findings = [
    ...lintObjects(loaded.objects, RULES, options, workloads).map((located) => located.finding),
    ...lintAppConfigs(appContexts, APP_CONFIG_RULES, config.severities),
    ...lintDockerfiles(loaded.dockerfiles, DOCKERFILE_RULES, config.severities),
  ].sort(compareFindings);
  const summary = summarize(
    findings,
    loaded.files,
    loaded.objects.length + loaded.dockerfiles.length + loaded.appConfigs.length,
    loaded.errors.length,
  );
  const sources = new Map([
    ...loaded.objects.map((o): [string, string] => [o.source.name, o.source.text]),
    ...loaded.appConfigs.map((a): [string, string] => [a.file, a.text]),
    ...loaded.dockerfiles.flatMap(({ facts, script }): [string, string][] => [
      [facts.file, facts.text],
      ...(script ? [[script.file, script.text] as [string, string]] : []),
    ]),
  ]);
  return { findings, summary, sources, errors: loaded.errors.length };
}
