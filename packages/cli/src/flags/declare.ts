/**
 * The flags several commands share, declared once: each command adds the groups it takes, so a
 * flag has one name, one help text and one default everywhere.
 */
import { type Command, Option } from 'commander';

export type OutputFormat = 'text' | 'json' | 'sarif' | 'github';

export function formatOption(formats: readonly OutputFormat[]): Option {
  return new Option('--format <format>', 'output format').choices(formats).default('text');
}

/** --nodes, --profile, --kube-version: plan, lint, fix and lab. */
export function clusterOptions(command: Command): Command {
  return command
    .option(
      '--nodes <n>',
      'cluster size in nodes: sets how long endpoint propagation takes, and so the preStop',
    )
    .option('--profile <size>', 'cluster size instead of --nodes: small | medium | large')
    .option(
      '--kube-version <version>',
      'Kubernetes version whose semantics apply, e.g. 1.31 (default: 1.30): native sleep from 1.30',
    );
}

/** --drain, --buffer: the guide's grace >= preStop + drain + buffer, for plan, lint and fix. */
export function budgetOptions(command: Command): Command {
  return command
    .option('--drain <duration>', 'how long apps drain after SIGTERM, unless annotated, e.g. 20s')
    .option('--buffer <duration>', 'safety buffer in grace >= preStop + drain + buffer (default: 10s)');
}

/** --allow-remote and --config: lint and fix, which read repositories. */
export function repositoryOptions(command: Command, configFile: string): Command {
  return command
    .option(
      '--allow-remote',
      'let kubectl kustomize fetch remote resources (off: lint may run on untrusted pull requests)',
    )
    .option('--config <file>', `configuration file (default: ${configFile} if present)`);
}

/** The values of --helm-values and --helm-set, which repeat. */
export interface HelmFlags {
  readonly helmValues?: string[];
  readonly helmSet?: string[];
}

const repeated = (value: string, previous: string[] = []) => [...previous, value];

/** --helm-values, --helm-set: plan, lint and fix, which render the Helm charts they read. */
export function helmOptions(command: Command): Command {
  return command
    .option(
      '--helm-values <file>',
      'values file for the Helm charts read (repeatable; a later file wins), as helm template --values',
      repeated,
    )
    .option(
      '--helm-set <key=value>',
      'value for the Helm charts read (repeatable), as helm template --set',
      repeated,
    );
}

/** The load flags lab and verify share (parsed by flags/load.ts). */
export function loadOptions(command: Command): Command {
  return command
    .option('--rate <r/s>', 'open model: requests per second (default: 200/s)')
    .option('--concurrency <n>', 'closed model: this many requests in flight, each sent when the last ends')
    .option('--keepalive <on|off>', 'reuse client connections', 'on')
    .option('--method <method>', 'HTTP method', 'GET')
    .option('--data <body>', 'request body (default for POST/PUT/PATCH: a small JSON document)')
    .option('--timeout <duration>', 'request timeout', '10s');
}

/** A lost request fails the run, and so does a replica the grace period ended with SIGKILL. */
export const DEFAULT_FAIL_ON = 'errors>0,sigkill>0';

/** The verdict and report flags lab and verify share. */
export function reportOptions(command: Command): Command {
  return command
    .option(
      '--fail-on <thresholds>',
      'exit 1 when any is crossed: errors>0, sigkill>0, error-rate>0.1%, p99>500ms, window>1s',
      DEFAULT_FAIL_ON,
    )
    .option('--report <file.html>', 'write the self-contained HTML timeline here')
    .option('--records', 'with --format json: include every request')
    .option('--no-progress', 'no live progress on stderr')
    .addOption(formatOption(['text', 'json']));
}
