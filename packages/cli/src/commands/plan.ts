/** `lameduck plan`: wiring only. */
import type { Command } from 'commander';
import { EMPTY_CONFIG, helmValues } from '../config/config.js';
import {
  budgetOptions,
  clusterOptions,
  formatOption,
  type HelmFlags,
  helmOptions,
  type OutputFormat,
} from '../flags/declare.js';
import { type PlanFlags, resolvePlanOptions } from '../flags/plan.js';
import { loadManifests } from '../manifests/load.js';
import { objectsOf } from '../manifests/objects.js';
import { parseSource } from '../manifests/parse.js';
import type { Verdict } from '../model/budget.js';
import { EXIT, type InputError } from '../output/errors.js';
import type { Io } from '../output/io.js';
import { colorEnabled, createStyle } from '../output/style.js';
import { buildPlans, type PlanOptions } from '../plan/build.js';
import { exampleDeployment } from '../plan/example.js';
import { planJson } from '../plan/json.js';
import { renderPlanText } from '../plan/text.js';

interface PlanCommandFlags extends PlanFlags, HelmFlags {
  readonly filename?: string[];
  readonly format: OutputFormat;
  readonly name: string;
  readonly image: string;
  readonly port: string;
}

export function registerPlan(program: Command, io: Io, setExit: (code: number) => void): void {
  helmOptions(budgetOptions(clusterOptions(program.command('plan'))))
    .description('the termination time budget and timeline of a workload, and the values to use')
    .option('-f, --filename <path...>', 'manifest file or directory (repeatable); - reads stdin')
    .option('--container <name>', 'only this container')
    .option('--workload <type>', 'http | websocket | batch | stateful (default: from the kind, else http)')
    .option('--name <name>', 'without -f: name of the example Deployment', 'my-app')
    .option('--image <image>', 'without -f: image of the example Deployment', 'my-app:v2.4.1')
    .option('--port <port>', 'without -f: container port of the example Deployment', '8080')
    .addOption(formatOption(['text', 'json']))
    .addHelpText(
      'after',
      `
Examples:
  lameduck plan -f deploy.yaml --nodes 40 --drain 20s
  helm template my-release ./chart | lameduck plan -f -
  lameduck plan --nodes 40 --workload http --drain 20s

Exit codes: 0 plan fits, 1 SIGKILL cuts a drain, SIGTERM never reaches the app or a hook is invalid,
2 usage or input error.`,
    )
    .action(async (flags: PlanCommandFlags) => {
      const options = resolvePlanOptions(flags);
      const generated = flags.filename === undefined ? generatedManifest(flags, options) : undefined;
      const loaded =
        generated ??
        (await loadManifests(flags.filename ?? [], () => io.readStdin(), {
          helm: helmValues(EMPTY_CONFIG, flags, options.kubeVersion),
        }));
      const { plans, errors, nothingToPlan } = buildPlans(loaded.objects, options);
      const problems = [...loaded.errors, ...errors];
      if (nothingToPlan && problems.length === 0) problems.push(nothingToPlan);
      for (const problem of problems) io.stderr.write(`lameduck plan: ${problem.format()}\n`);
      for (const note of 'notes' in loaded ? loaded.notes : [])
        io.stderr.write(`lameduck plan: note: ${note}\n`);
      if (plans.length > 0) {
        if (flags.format === 'json') {
          io.stdout.write(`${JSON.stringify(planJson(plans, options), null, 2)}\n`);
        } else {
          const style = createStyle(colorEnabled(io.stdout, io.env));
          io.stdout.write(renderPlanText(plans, options, style));
          if (generated) io.stdout.write(`\n${style.bold('Deployment:')}\n\n${generated.text}`);
        }
      }
      const failed = plans.some((p) =>
        p.analysis.containers.some((c) => FAILING_VERDICTS.has(c.budget.verdict)),
      );
      setExit(problems.length > 0 ? EXIT.usage : failed ? EXIT.findings : EXIT.ok);
    });
}

/** SIGKILL ends the app with requests in flight, or the API server rejects the pod. */
const FAILING_VERDICTS: ReadonlySet<Verdict> = new Set(['cut', 'unreached', 'invalid']);

/** Without a manifest, plan the guide-style Deployment built from the flags. */
function generatedManifest(flags: PlanCommandFlags, options: PlanOptions) {
  const port = Number(flags.port);
  const text = exampleDeployment(
    { name: flags.name, image: flags.image, port: Number.isInteger(port) ? port : 8080 },
    options,
  );
  const { parsed, errors } = parseSource({ name: '<generated>', text });
  const objects = parsed ? objectsOf(parsed) : { objects: [], errors: [] as InputError[] };
  return { objects: objects.objects, errors: [...errors, ...objects.errors], text };
}
