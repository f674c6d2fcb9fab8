/** `lameduck fix`: wiring only. */

import type { Command } from 'commander';
import { CONFIG_FILE } from '../config/config.js';
import { startedProcess } from '../dockerfile/facts.js';
import {
  budgetOptions,
  clusterOptions,
  type HelmFlags,
  helmOptions,
  repositoryOptions,
} from '../flags/declare.js';
import type { PlanFlags } from '../flags/plan.js';
import { lintDockerfiles, lintObjects } from '../lint/engine.js';
import { chartFixAdvice, placesToChange, planDockerfileFixes, planFixes } from '../lint/fix.js';
import { loadLintInput } from '../lint/input.js';
import { unifiedDiff } from '../lint/line-edits.js';
import { isNodeApp, PRELOAD_ADVICE } from '../lint/node-preload.js';
import { DOCKERFILE_RULES, RULES } from '../lint/registry.js';
import { isHelmRendered } from '../manifests/helm.js';
import { isRendered } from '../manifests/read.js';
import { EXIT, InputError, printable, UsageError } from '../output/errors.js';
import { rewriteTextFile } from '../output/files.js';
import type { Io } from '../output/io.js';

interface FixFlags extends PlanFlags, HelmFlags {
  readonly dryRun?: boolean;
  readonly config?: string;
  readonly allowRemote?: boolean;
}

export function registerFix(program: Command, io: Io, setExit: (code: number) => void): void {
  helmOptions(repositoryOptions(budgetOptions(clusterOptions(program.command('fix'))), CONFIG_FILE))
    .description('apply the safe fixes for lint findings, in place, keeping comments')
    .argument('[paths...]', 'files or directories (walked); . for the current directory')
    .option('--dry-run', 'print a unified diff instead of writing')
    .addHelpText(
      'after',
      `
Fixes: preStop sleep (native or exec by --kube-version, length by cluster size), grace period
per the formula, rollingUpdate maxUnavailable 0 (maxSurge kept, or 1 where it comes to 0); in
Dockerfiles, STOPSIGNAL SIGQUIT for nginx and the exec form of a plain shell-form CMD/ENTRYPOINT.
Everything else is reported by lint.
Examples:
  lameduck fix k8s/ --dry-run
  lameduck fix deploy.yaml --nodes 40 --kube-version 1.31
  lameduck fix .

Exit codes: 0 fixed, or nothing to fix; 2 usage or input error (files that could not be read are
left as they are). Findings fix cannot mend do not change the exit code: run lameduck lint.`,
    )
    .action(async (paths: string[], flags: FixFlags) => {
      // Fixing edits files in place: the target is always named, never assumed to be the cwd.
      if (paths.length === 0)
        throw new UsageError(
          'give the files or directories to fix, e.g. lameduck fix k8s/ (. for the current directory)',
        );
      if (paths.includes('-'))
        throw new UsageError('fix edits files in place; for stdin use lameduck lint -');
      const { loaded, options } = await loadLintInput(paths, flags, () => io.readStdin(), {
        editable: true,
      });
      for (const problem of loaded.errors) io.stderr.write(`lameduck fix: ${problem.format()}\n`);
      for (const note of loaded.notes) io.stderr.write(`lameduck fix: note: ${note}\n`);
      const located = lintObjects(loaded.objects, RULES, options);
      const fixes = [
        ...planFixes(located, RULES, options),
        ...planDockerfileFixes(
          loaded.dockerfiles,
          lintDockerfiles(loaded.dockerfiles, DOCKERFILE_RULES, options.severities),
          DOCKERFILE_RULES,
        ),
      ];
      for (const fix of fixes.filter((f) => isRendered(f.file))) {
        const places = placesToChange(fix, located, true);
        const what =
          places.length > 0 ? `change ${places.join(', ')}` : 'fix the files the kustomization lists';
        io.stderr.write(
          isHelmRendered(fix.file)
            ? `lameduck fix: note: ${chartFixAdvice(fix, located)}`
            : `lameduck fix: ${fix.file}: rendered output cannot be fixed in place; ${what} (lameduck lint names the findings)\n`,
        );
      }
      const writable = fixes.filter((f) => !isRendered(f.file));
      const refused = new Set<string>();
      for (const fix of writable) {
        if (flags.dryRun) {
          io.stdout.write(unifiedDiff(fix.file, fix.before, fix.edits));
          continue;
        }
        try {
          await rewriteTextFile(fix.file, fix.after);
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          io.stderr.write(`lameduck fix: ${error.format()}\n`);
          refused.add(fix.file);
        }
      }
      const done = writable.filter((fix) => !refused.has(fix.file));
      // The preload needs the package in the image, which fix cannot know: it suggests, never writes it.
      for (const { facts } of loaded.dockerfiles) {
        const process = startedProcess(facts);
        if (done.some((fix) => fix.file === facts.file) && isNodeApp(facts.baseImage, process?.argv ?? []))
          io.stderr.write(`lameduck fix: note: ${printable(facts.file)}: ${PRELOAD_ADVICE}\n`);
      }
      const count = done.reduce((sum, fix) => sum + fix.fixed.length, 0);
      const verb = flags.dryRun ? 'would fix' : 'fixed';
      io.stderr.write(
        count === 0
          ? 'lameduck fix: nothing to fix\n'
          : `lameduck fix: ${verb} ${count} finding(s) in ${done.length} file(s); run lameduck lint for the rest\n`,
      );
      setExit(loaded.errors.length > 0 || refused.size > 0 ? EXIT.usage : EXIT.ok);
    });
}
