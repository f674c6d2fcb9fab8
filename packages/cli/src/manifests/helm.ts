/**
 * Helm charts as users write them: a directory holding Chart.yaml is rendered by `helm template`
 * with the values the user gave, nothing fetched, and every rendered object is placed back in the
 * template that its `# Source:` comment names (template-lines.ts finds the line there).
 */
import { execFile } from 'node:child_process';
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isObject } from '../model/json.js';
import { InputError, printable } from '../output/errors.js';
import { mapBounded } from './bounded.js';
import { chartValues, chartWithout, disabledDependencies } from './helm-dependencies.js';
import type { SourceOrigin, SourceText } from './origin.js';
import { namedTemplates, placeInChart } from './template-lines.js';
import { findTool, MAX_RENDERED_BYTES, NO_NETWORK, RENDER_TIMEOUT_MS } from './tools.js';

export interface HelmOptions {
  /** Values files (`--values`), in order: a later file wins. */
  readonly values?: readonly string[];
  /** `--set KEY=VALUE`, applied after the files. */
  readonly set?: readonly string[];
  /** The Kubernetes version charts render for (`.Capabilities.KubeVersion`), e.g. "1.30". */
  readonly kubeVersion?: string;
}

export interface RenderLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

const LIMITS: RenderLimits = { timeoutMs: RENDER_TIMEOUT_MS, maxBytes: MAX_RENDERED_BYTES };
const CHART_FILE = 'Chart.yaml';
/** Every chart renders in this namespace, as a release named after the chart: the same output every run. */
const HELM_NAMESPACE = 'default';
const RELEASE_NAME = /^[a-z0-9](?:[-a-z0-9]{0,51}[a-z0-9])?$/;
/** A template larger than this is not read back for line numbers (its findings stay in the rendered output). */
const MAX_TEMPLATE_BYTES = 1024 * 1024;
const RENDERED = ' (helm template)';

/** The name of a chart's rendered output: an input no file holds. */
export function helmRenderedName(directory: string): string {
  return `${directory}${RENDERED}`;
}

export function isHelmRendered(name: string): boolean {
  return name.endsWith(RENDERED);
}

/** Whether `file` lies inside `directory` ("." holds everything relative). */
function isInside(directory: string, file: string): boolean {
  const path = relative(directory, file);
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}

/**
 * The charts among walked files: each directory holding Chart.yaml, except a sub-chart (in the
 * charts/ directory of another chart), which its parent renders.
 */
export function chartDirectories(files: readonly string[]): string[] {
  const directories = new Set(files.filter((file) => basename(file) === CHART_FILE).map(dirname));
  return [...directories].filter(
    (directory) =>
      !(basename(dirname(directory)) === 'charts' && directories.has(dirname(dirname(directory)))),
  );
}

/**
 * Whether a file belongs to one of the charts (its templates, values and Chart.yaml are no
 * manifests of their own), by its ancestors: a walk of 150,000 files costs no more per chart.
 */
function inChartOf(charts: readonly string[]): (file: string) => boolean {
  const directories = new Set(charts);
  return (file) => {
    for (let directory = dirname(file); ; directory = dirname(directory)) {
      if (directories.has(directory)) return true;
      if (dirname(directory) === directory) return false;
    }
  };
}

export interface ChartsRead {
  readonly inChart: (file: string) => boolean;
  readonly sources: SourceText[];
  readonly errors: InputError[];
  readonly notes: string[];
}

/** Renders every chart among `files`, as many at once as there are cores. */
export async function readCharts(
  files: readonly string[],
  options: HelmOptions,
  ignore: readonly RegExp[] = [],
  limits: RenderLimits = LIMITS,
): Promise<ChartsRead> {
  const charts = chartDirectories(files);
  const read: ChartsRead = { inChart: inChartOf(charts), sources: [], errors: [], notes: [] };
  const wanted = charts.filter((chart) => !ignore.some((pattern) => pattern.test(join(chart, CHART_FILE))));
  if (wanted.length === 0) return read;
  const helm = findTool('helm');
  if (!helm) {
    read.notes.push(notInstalled(wanted));
    return read;
  }
  const rendered = await mapBounded(wanted, (chart) => renderChart(helm, chart, options, limits));
  for (const result of rendered) {
    if (result === 'not-installed') {
      read.notes.push(notInstalled(wanted));
      return read;
    }
    if (result instanceof InputError) read.errors.push(result);
    else if (result !== 'library') {
      read.sources.push(result.source);
      if (result.note) read.notes.push(result.note);
    }
  }
  return read;
}

function notInstalled(charts: readonly string[]): string {
  const shown = charts.slice(0, 3).map(printable).join(', ');
  const more = charts.length > 3 ? ` and ${charts.length - 3} more` : '';
  return `helm is not installed, so the Helm chart(s) ${shown}${more} are not linted (their templates are not YAML until rendered); install helm, or run: helm template DIR | lameduck lint -`;
}

/**
 * The chart rendered as one source, or an error a person can act on; a library chart renders
 * nothing of its own (helm refuses to), and its templates are linted through the charts using it.
 */
async function renderChart(
  helm: string,
  directory: string,
  options: HelmOptions,
  limits: RenderLimits,
): Promise<{ source: SourceText; note?: string } | InputError | 'not-installed' | 'library'> {
  const chartFile = join(directory, CHART_FILE);
  const chartText = await readFile(chartFile, 'utf8').catch(() => '');
  const chart: unknown = (() => {
    try {
      return parseYaml(chartText);
    } catch {
      return undefined;
    }
  })();
  if (isObject(chart) && chart.type === 'library') return 'library';
  const name = isObject(chart) && typeof chart.name === 'string' ? chart.name : '';
  const args = [
    'template',
    RELEASE_NAME.test(name) ? name : 'release',
    directory,
    '--namespace',
    HELM_NAMESPACE,
    '--skip-tests',
    ...(options.kubeVersion ? ['--kube-version', options.kubeVersion] : []),
    ...(options.values ?? []).flatMap((file) => ['--values', file]),
    ...(options.set ?? []).flatMap((assignment) => ['--set', assignment]),
  ];
  let run = await runHelm(helm, args, limits);
  if (run.missing) return 'not-installed';
  let note: string | undefined;
  const missing = typeof run.failure === 'object' ? missingDependencies(run.failure.stderr) : undefined;
  if (missing) {
    const values = await chartValues(directory, options.values ?? [], options.set ?? []);
    const disabled = disabledDependencies(chart, missing, values);
    if (disabled) {
      const copy = await chartWithout(directory, chartText, disabled);
      try {
        run = await runHelm(
          helm,
          args.map((arg) => (arg === directory ? copy.directory : arg)),
          limits,
        );
      } finally {
        await copy.remove();
      }
      note = `${printable(directory)}: rendered without ${disabled.join(', ')}, which charts/ lacks and the values switch off (their condition is false)`;
    }
  }
  if (run.failure) return renderError(run.failure, directory, chartFile, chartText, limits);
  return {
    source: {
      name: helmRenderedName(directory),
      text: run.stdout,
      kind: 'manifest',
      origin: await templateOrigin(directory, run.stdout),
    },
    ...(note ? { note } : {}),
  };
}

/** The dependencies helm says charts/ lacks, each once (helm names one once per alias). */
function missingDependencies(stderr: string): string[] | undefined {
  const listed = MISSING_DEPENDENCIES.exec(stderr)?.[1];
  return listed === undefined ? undefined : [...new Set(listed.split(',').map((name) => name.trim()))];
}

type Failure = 'timeout' | 'too-large' | { readonly stderr: string };

function runHelm(
  helm: string,
  args: readonly string[],
  limits: RenderLimits,
): Promise<{ stdout: string; failure?: Failure; missing?: boolean }> {
  return new Promise((resolve) => {
    execFile(
      helm,
      args,
      {
        encoding: 'utf8',
        timeout: limits.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: limits.maxBytes,
        // Nothing is fetched, whatever the chart says: HTTP goes to a closed local port, and the
        // user's helm plugins stay out of lint's run.
        env: { ...process.env, ...NO_NETWORK, HELM_PLUGINS: join(directoryOfNothing, 'plugins') },
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return resolve({ stdout: '', missing: true });
        if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
          return resolve({ stdout: '', failure: 'too-large' });
        if ((error as { killed?: boolean }).killed) return resolve({ stdout: '', failure: 'timeout' });
        resolve({ stdout: '', failure: { stderr } });
      },
    );
  });
}

/** A path that holds nothing, for the settings helm must not read. */
const directoryOfNothing = '/nonexistent/lameduck';

const MISSING_DEPENDENCIES = /missing in charts\/ directory: (.+)$/m;
/** Where helm says a template failed: `at (chart/templates/x.yaml:3:4)`, `template: chart/...:3:4:`. */
const TEMPLATE_AT = /(?:at \(|template: |YAML parse error on )([^\s:()]+)(?::(\d+))?(?::(\d+))?/;

function renderError(
  failure: Failure,
  directory: string,
  chartFile: string,
  chartText: string,
  limits: RenderLimits,
): InputError {
  const rendered = `helm template ${directory} | lameduck lint -`;
  if (failure === 'timeout')
    return new InputError(
      `helm template took more than ${limits.timeoutMs / 1000} s`,
      chartFile,
      undefined,
      `check the chart's loops and the values given, or lint the rendered output: ${rendered}`,
    );
  if (failure === 'too-large')
    return new InputError(
      `helm template wrote more than ${Math.round(limits.maxBytes / 1024 / 1024)} MB`,
      chartFile,
      undefined,
      `check the chart's loops and the values given, or lint the rendered output: ${rendered}`,
    );
  const lines = failure.stderr.split('\n').map((line) => line.trim());
  const message = (
    lines.find((line) => line.startsWith('Error:')) ??
    lines.find(Boolean) ??
    'failed'
  ).replace(/^Error:\s*/, '');
  const names = missingDependencies(message);
  if (names !== undefined) {
    const first = names[0] ?? '';
    const at = chartText.split('\n').findIndex(
      (line) =>
        /^\s*-?\s*name:/.test(line) &&
        line
          .split('name:')[1]
          ?.trim()
          .replace(/^["']|["']$/g, '') === first,
    );
    return new InputError(
      `dependencies missing from charts/: ${names.join(', ')}; lameduck fetches nothing`,
      chartFile,
      at === -1 ? undefined : { line: at + 1, column: 1 },
      `run helm dependency build ${directory} (it downloads them), then lint again; helm template fails the same way until then`,
    );
  }
  // The chart's kubeVersion refuses the version lint targets (1.30 unless told): say how to target another.
  const refused = /^chart requires kubeVersion: (.+) which is incompatible with Kubernetes (\S+)/.exec(
    message,
  );
  if (refused) {
    const at = chartText.split('\n').findIndex((line) => /^kubeVersion:/.test(line));
    return new InputError(
      `the chart requires Kubernetes ${refused[1]}, and lint targets ${refused[2]}`,
      chartFile,
      at === -1 ? undefined : { line: at + 1, column: 1 },
      "pass the cluster's version with --kube-version (or kubeVersion in .lameduck.yaml), e.g. --kube-version 1.33",
    );
  }
  const where = TEMPLATE_AT.exec(message);
  const template = where?.[1] ? templateFile(directory, where[1]) : undefined;
  if (template !== undefined && where?.[2] !== undefined)
    return new InputError(
      `helm template failed: ${message}`,
      template,
      { line: Number(where[2]), column: Number(where[3] ?? 1) },
      'fix the template or the values it reads',
    );
  return new InputError(
    `helm template failed: ${message}`,
    template ?? chartFile,
    undefined,
    'fix the chart or the values given',
  );
}

/**
 * The file a `# Source:` path names (`chart/templates/x.yaml`, `chart/charts/sub/templates/y.yaml`),
 * under the chart's directory; undefined for a path that leaves it.
 */
function templateFile(directory: string, source: string): string | undefined {
  const inChartPath = source.split('/').slice(1).join('/');
  const file = join(directory, inChartPath);
  return inChartPath !== '' && isInside(directory, file) ? file : undefined;
}

/** Each rendered document's `# Source:` comment: where it is, the file, its kind and ordinal among that file's objects of that kind. */
interface SourceComment {
  readonly offset: number;
  readonly file: string | undefined;
  readonly kind: string;
  readonly ordinal: number;
}

const SOURCE_COMMENT = /^# Source: (.+)$/gm;

async function templateOrigin(directory: string, rendered: string): Promise<SourceOrigin> {
  const comments: SourceComment[] = [];
  const seen = new Map<string, number>();
  const matches = [...rendered.matchAll(SOURCE_COMMENT)];
  matches.forEach((match, index) => {
    const offset = match.index ?? 0;
    const end = matches[index + 1]?.index ?? rendered.length;
    const kind = /^kind:\s*["']?([\w.-]+)/m.exec(rendered.slice(offset, end))?.[1] ?? '';
    const source = (match[1] as string).trim();
    const key = `${source}\n${kind}`;
    const ordinal = seen.get(key) ?? 0;
    seen.set(key, ordinal + 1);
    comments.push({ offset, file: templateFile(directory, source), kind, ordinal });
  });
  const files = new Map<string, string>();
  for (const file of new Set(comments.flatMap((c) => (c.file ? [c.file] : [])))) {
    const text = await readTemplate(directory, file);
    if (text !== undefined) files.set(file, text);
  }
  const named = namedTemplates(await chartTemplates(directory));
  for (const definition of named.values()) files.set(definition.file, definition.text);
  return {
    files,
    place(documentStart, document, path) {
      let comment: SourceComment | undefined;
      for (const candidate of comments) {
        if (candidate.offset >= documentStart) break;
        comment = candidate;
      }
      const text = comment?.file ? files.get(comment.file) : undefined;
      if (!comment?.file || text === undefined) return undefined;
      const rendered = { kind: comment.kind, ordinal: comment.ordinal, value: document };
      return placeInChart({ name: comment.file, text }, rendered, path, named);
    },
  };
}

/** The text of every template file of a chart and its unpacked sub-charts (for their `define`s). */
async function chartTemplates(directory: string): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  const pending = [join(directory, 'templates')];
  for (const charts of await readdir(join(directory, 'charts'), { withFileTypes: true }).catch(() => []))
    if (charts.isDirectory()) pending.push(join(directory, 'charts', charts.name, 'templates'));
  while (pending.length > 0 && texts.size < MAX_TEMPLATE_FILES) {
    const folder = pending.pop() as string;
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const file = join(folder, entry.name);
      if (entry.isDirectory()) pending.push(file);
      else if (entry.isFile() && TEMPLATE_FILE.test(entry.name)) {
        const text = await readTemplate(directory, file);
        if (text?.includes('define')) texts.set(file, text);
      }
    }
  }
  return texts;
}

const TEMPLATE_FILE = /\.(?:tpl|ya?ml|txt)$/;
/** Far above any chart's template count; bounds the read of a hostile one. */
const MAX_TEMPLATE_FILES = 2000;

/**
 * A template's text, read only from a regular file inside the chart (a symbolic link might lead
 * anywhere, and whatever is read may be printed in a code frame); undefined otherwise, for a
 * packaged sub-chart (.tgz) among them.
 */
async function readTemplate(directory: string, file: string): Promise<string | undefined> {
  try {
    const info = await lstat(file);
    if (!info.isFile() || info.size > MAX_TEMPLATE_BYTES) return undefined;
    if (!isInside(await realpath(directory), await realpath(file))) return undefined;
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}
