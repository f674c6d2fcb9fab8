/** `lameduck lint`: wiring only. */
import { type Command, Option } from 'commander';
import { CONFIG_FILE } from '../config/config.js';
import {
  budgetOptions,
  clusterOptions,
  formatOption,
  type HelmFlags,
  helmOptions,
  type OutputFormat,
  repositoryOptions,
} from '../flags/declare.js';
import type { PlanFlags } from '../flags/plan.js';
import { formatGithub } from '../lint/formats/github.js';
import { formatJson } from '../lint/formats/json.js';
import { formatSarif } from '../lint/formats/sarif.js';
import { formatText } from '../lint/formats/text.js';
import { loadLintInput } from '../lint/input.js';
import { lintLoaded } from '../lint/pipeline.js';
import { ALL_RULES } from '../lint/registry.js';
import { SEVERITIES, type Severity } from '../lint/rule.js';
import { EXIT } from '../output/errors.js';
import type { Io } from '../output/io.js';
import { colorEnabled, createStyle } from '../output/style.js';

interface LintFlags extends PlanFlags, HelmFlags {
  readonly format: OutputFormat;
  readonly failOn: Severity;
  readonly config?: string;
  readonly allowRemote?: boolean;
}

export function registerLint(program: Command, io: Io, setExit: (code: number) => void): void {
  helmOptions(repositoryOptions(budgetOptions(clusterOptions(program.command('lint'))), CONFIG_FILE))
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
  lameduck lint ./chart --helm-values values-prod.yaml   # rendered with helm template
  helm template my-release ./chart | lameduck lint -
  lameduck lint deploy.yaml --format sarif > lameduck.sarif

Suppress: annotation lameduck.dev/ignore: rule-a,rule-b, or a '# lameduck-ignore rule-a' comment above the line.
Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or input errors.`,
    )
    .action(async (paths: string[], flags: LintFlags) => {
      const input = await loadLintInput(paths, flags, () => io.readStdin());
      for (const problem of input.loaded.errors) io.stderr.write(`lameduck lint: ${problem.format()}\n`);
      for (const note of input.loaded.notes) io.stderr.write(`lameduck lint: note: ${note}\n`);
      const { findings, summary, sources } = lintLoaded(input);
      const errors = input.loaded.errors.length;
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
