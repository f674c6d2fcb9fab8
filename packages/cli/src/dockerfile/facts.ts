/**
 * A Dockerfile as termination facts about its final stage, the one that runs: base image, the
 * process started (ENTRYPOINT/CMD, exec or shell form), STOPSIGNAL, and the files copied in.
 * Positions are 1-based lines and columns, like every finding.
 */

import { posix } from 'node:path';
import { DockerfileParser, type From, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { npmReachesApp, sigtermLostBecause } from '../model/sigterm-path.js';
import { RUNTIMES, type Runtime, runtimeOf, type StartedApp } from './started-app.js';

export interface Located {
  readonly line: number;
  readonly column: number;
}

export interface ProcessInstruction extends Located {
  readonly keyword: 'ENTRYPOINT' | 'CMD';
  readonly form: 'exec' | 'shell';
  /** exec form: the JSON strings; shell form: the whole command line as one string. */
  readonly argv: readonly string[];
  /** Written as the exec form (`[...`) but not valid JSON, so Docker runs it through the shell. */
  readonly malformedExec?: boolean;
}

export interface CopyInstruction extends Located {
  readonly sources: readonly string[];
  readonly destination: string;
  /** COPY --from=... copies from another stage or image, not from the build context. */
  readonly fromStage: boolean;
}

export interface DockerfileFacts {
  readonly file: string;
  readonly text: string;
  readonly baseImage: string;
  readonly from: Located;
  readonly entrypoint?: ProcessInstruction;
  readonly cmd?: ProcessInstruction;
  readonly stopSignal?: Located & { readonly signal: string };
  readonly copies: readonly CopyInstruction[];
}

function at(instruction: Instruction): Located {
  const { start } = instruction.getRange();
  return { line: start.line + 1, column: start.character + 1 };
}

/**
 * Docker takes the exec form only when the arguments are a JSON array of strings; anything else
 * runs through /bin/sh -c. The JSON is parsed here because dockerfile-ast 0.7's string values drop
 * the spaces inside them (`"a b && c"` reads as `ab&&c`).
 */
function processOf(instruction: JSONInstruction, keyword: 'ENTRYPOINT' | 'CMD'): ProcessInstruction {
  const content = instruction.getArgumentsContent() ?? '';
  const bracketed = instruction.getOpeningBracket() !== null;
  const exec = bracketed ? execArgv(content) : undefined;
  return {
    keyword,
    form: exec ? 'exec' : 'shell',
    argv: exec ?? [content],
    ...(bracketed && !exec && { malformedExec: true }),
    ...at(instruction),
  };
}

function execArgv(content: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(content);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A Dockerfile as read, with the entrypoint script ENTRYPOINT/CMD runs when the build context has
 * it, and what the build context's sources say of the app the image starts as PID 1.
 */
export interface DockerfileContext {
  readonly facts: DockerfileFacts;
  readonly script?: { readonly file: string; readonly text: string };
  readonly startedApp?: StartedApp;
}

/** The final stage's image, followed through `FROM <earlier stage>` to the image that stage starts from. */
function baseImageOf(froms: readonly From[]): string {
  const stages = new Map(froms.map((from) => [from.getBuildStage()?.toLowerCase(), from.getImage() ?? '']));
  let image = froms.at(-1)?.getImage() ?? '';
  for (let hop = 0; hop < froms.length && stages.has(image.toLowerCase()); hop++)
    image = stages.get(image.toLowerCase()) ?? image;
  return image;
}

/** undefined when the file has no FROM: it is not a Dockerfile anyone can build. */
export function dockerfileFacts(file: string, text: string): DockerfileFacts | undefined {
  const dockerfile = DockerfileParser.parse(text);
  const froms = dockerfile.getFROMs();
  const last = froms.at(-1);
  if (!last) return undefined;
  const lastLine = last.getRange().start.line;
  // Later instructions of the same kind win; only the final stage's count (ENTRYPOINT/CMD can be inherited, see baseImage).
  const inFinal = <T extends Instruction>(list: T[]) =>
    list.filter((i) => i.getRange().start.line > lastLine).at(-1);
  const entrypoint = inFinal(dockerfile.getENTRYPOINTs());
  const cmd = inFinal(dockerfile.getCMDs());
  const stop = inFinal(dockerfile.getInstructions().filter((i) => i.getKeyword() === 'STOPSIGNAL'));
  // A relative COPY destination is under the WORKDIR of its moment: `WORKDIR /svc` + `COPY . .`
  // puts the context at /svc, where ENTRYPOINT ["python", "/svc/server.py"] finds it.
  let workdir = '/';
  const copies: CopyInstruction[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getRange().start.line <= lastLine) continue;
    const args = instruction.getArguments().map((a) => a.getValue());
    const keyword = instruction.getKeyword();
    if (keyword === 'WORKDIR' && args[0] !== undefined) workdir = posix.resolve(workdir, args[0]);
    if (keyword !== 'COPY' && keyword !== 'ADD') continue;
    const fromStage = args.some((a) => a.startsWith('--from='));
    const paths = args.filter((a) => !a.startsWith('--'));
    const written = paths.at(-1) ?? '';
    const destination =
      written === '' || written.startsWith('/') || written.includes('$')
        ? written
        : `${posix.resolve(workdir, written)}${written.endsWith('/') ? '/' : ''}`;
    copies.push({ sources: paths.slice(0, -1), destination, fromStage, ...at(instruction) });
  }
  return {
    file,
    text,
    baseImage: baseImageOf(froms),
    from: at(last),
    ...(entrypoint ? { entrypoint: processOf(entrypoint as JSONInstruction, 'ENTRYPOINT') } : {}),
    ...(cmd ? { cmd: processOf(cmd as JSONInstruction, 'CMD') } : {}),
    ...(stop
      ? { stopSignal: { signal: (stop.getArgumentsContent() ?? '').trim().toUpperCase(), ...at(stop) } }
      : {}),
    copies,
  };
}

/** The process the container starts, as argv, and the instruction that sets it. */
export function startedProcess(facts: DockerfileFacts): ProcessInstruction | undefined {
  return facts.entrypoint ?? facts.cmd;
}

/** What the kernel runs for an instruction: the shell form through `/bin/sh -c`. */
export function processArgv(process: ProcessInstruction): readonly string[] {
  return process.form === 'shell' ? ['/bin/sh', '-c', process.argv[0] ?? ''] : process.argv;
}

/**
 * Why SIGTERM never reaches the app the image starts, where the Dockerfile says so for certain (a
 * shell that stays PID 1, such as dash or one running a pipeline; a package manager that keeps it);
 * undefined when it arrives, or when the shell's kind is unknown.
 */
export function sigtermKeptFromApp(facts: DockerfileFacts): string | undefined {
  const process = startedProcess(facts);
  if (process === undefined) return undefined;
  const reason = sigtermLostBecause(processArgv(process), facts.baseImage);
  return reason?.startsWith('unless ') ? undefined : reason;
}

/**
 * The build-context path of the script ENTRYPOINT/CMD runs: a COPY of that name put it there, or a
 * COPY of a whole directory (`COPY . .`, `COPY . /app`) holds it at the path the command names.
 */
export function copiedScript(
  facts: DockerfileFacts,
): { source: string; process: ProcessInstruction } | undefined {
  const process = startedProcess(facts);
  const program = process?.form === 'exec' ? process.argv[0] : undefined;
  if (!process || !program) return undefined;
  const source = copiedSource(facts, program);
  return source === undefined ? undefined : { source, process };
}

/** Where a file the image runs comes from in the build context, by the COPY that put it there. */
function copiedSource(facts: DockerfileFacts, path: string): string | undefined {
  const name = baseName(path);
  for (const copy of [...facts.copies].reverse()) {
    if (copy.fromStage) continue;
    const source = copy.sources.find((s) => baseName(s) === name) ?? inCopiedDirectory(copy, path);
    if (source) return source;
  }
  return undefined;
}

/** An init that passes SIGTERM on to its child (tini, dumb-init; Docker's --init is tini). */
const INIT = /^(?:tini|tini-static|dumb-init|docker-init|catatonit)$/;
/** `npm start`, `npm run start`: npm 7+ passes SIGTERM on where the script's shell execs the app. */
const NPM_START = /^(?:\S*\/)?npm$/;

/** `scripts.start` of a package.json's text; undefined when it has none or is not JSON. */
export function npmStartScript(packageJson: string): string | undefined {
  try {
    const start = (JSON.parse(packageJson) as { scripts?: { start?: unknown } } | null)?.scripts?.start;
    return typeof start === 'string' ? start : undefined;
  } catch {
    return undefined;
  }
}

/** What the build context adds to a Dockerfile's command: `npm start`'s script, a Go module beside it. */
export interface BuildContextHints {
  /** package.json's `scripts.start`. */
  readonly npmStart?: string;
  /** Whether the build context is a Go module (go.mod). */
  readonly goModule?: boolean;
}

/**
 * The app the image starts, and whether it is PID 1: `node <file>` or `python <file>` started
 * directly (exec form, no preload or module run) or behind an init, or through `npm start` where npm
 * and the image's shell pass SIGTERM on; a binary built from the Go module the context holds.
 * `source` is where the build context has the entry file (none for a Go binary); undefined for any
 * other start.
 */
export function startedEntry(
  facts: DockerfileFacts,
  hints: BuildContextHints = {},
): { runtime: Runtime; entry: string; source?: string; pid1: boolean } | undefined {
  const process = startedProcess(facts);
  if (process?.form !== 'exec') return undefined;
  // An exec-form ENTRYPOINT takes an exec-form CMD as its arguments (ENTRYPOINT ["python"], CMD ["app.py"]).
  let argv =
    process === facts.entrypoint && facts.cmd?.form === 'exec'
      ? [...process.argv, ...facts.cmd.argv]
      : process.argv;
  let pid1 = true;
  if (INIT.test(baseName(argv[0] ?? ''))) {
    // tini -g -- node server.js: the child is what follows its flags and `--`.
    const child = argv.slice(1).findIndex((word) => !word.startsWith('-'));
    argv = child < 0 ? [] : argv.slice(child + 1);
    pid1 = false;
  }
  if (NPM_START.test(argv[0] ?? '') && /^(?:start|run start)$/.test(argv.slice(1).join(' '))) {
    if (!npmReachesApp(facts.baseImage) || hints.npmStart === undefined) return undefined;
    argv = hints.npmStart.trim().split(/\s+/);
    pid1 = false;
  }
  const [program = '', ...rest] = argv;
  const runtime = runtimeOf(program);
  if (runtime === undefined)
    return hints.goModule && RUNTIMES.go.entry.test(program)
      ? { runtime: 'go', entry: program, pid1 }
      : undefined;
  const traits = RUNTIMES[runtime];
  // `python -m flask run`: Flask's development server, which installs no SIGTERM handler; the app is
  // the context's own sources (no entry file to find).
  if (runtime === 'python' && rest[0] === '-m' && rest[1] === 'flask' && rest[2] === 'run')
    return { runtime, entry: '-m flask run', pid1 };
  if (rest.some((word) => traits.otherCode.test(word))) return undefined;
  const entry = rest.find((word) => !word.startsWith('-'));
  if (entry === undefined || !traits.entry.test(entry)) return undefined;
  // `server.js` runs from WORKDIR: as a relative path for the directory lookup.
  const source = copiedSource(facts, entry.includes('/') ? entry : `./${entry}`);
  return source === undefined ? undefined : { runtime, entry, source, pid1 };
}

/** Where `program` comes from in the build context, when `copy` copied a directory that holds it. */
function inCopiedDirectory(copy: CopyInstruction, program: string): string | undefined {
  const directory = copy.sources.find((s) => s === '.' || s === './' || s.endsWith('/'));
  if (directory === undefined) return undefined;
  const destination = copy.destination.replace(/\/?$/, '/');
  // An absolute program must be under the destination; a relative path (./run.sh, bin/start) runs
  // from WORKDIR, which is where such a directory is copied in nearly every Dockerfile (WORKDIR /app,
  // COPY . .). A bare name (node, gunicorn) is looked up on PATH, not here.
  const inside = program.startsWith('/')
    ? program.startsWith(destination)
      ? program.slice(destination.length)
      : undefined
    : program.includes('/')
      ? program.replace(/^\.\//, '')
      : undefined;
  return inside === undefined ? undefined : `${directory.replace(/\/?$/, '/')}${inside}`;
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}
