/**
 * Whether an app that the image starts as PID 1 (`node server.js`, `python app.py`) handles
 * SIGTERM. The kernel delivers a signal sent into a PID namespace to its init only if init has a
 * handler for it (pid_namespaces(7); SIGKILL excepted), and neither Node nor Python installs one for
 * SIGTERM. So the kubelet's SIGTERM is dropped: the app keeps its listener open and runs on until
 * SIGKILL at the end of the grace period.
 */

export type Runtime = 'node' | 'python';

export interface Pid1App {
  readonly runtime: Runtime;
  /** The entry file as the command names it (`server.js`, `app.py`). */
  readonly entry: string;
  /** How many of the build context's sources in the app's language were read. */
  readonly sourcesRead: number;
  /** Whether any of them handles SIGTERM, itself or through a server or library that does. */
  readonly handlesSigterm: boolean;
}

interface RuntimeTraits {
  readonly program: RegExp;
  readonly entry: RegExp;
  /** Flags after which the interpreter runs other code than the entry file: then nothing is said. */
  readonly otherCode: RegExp;
  readonly sources: RegExp;
  /** Directories of installed packages, not the app's own code. */
  readonly skipped: ReadonlySet<string>;
  readonly handles: RegExp;
}

export const RUNTIMES: Readonly<Record<Runtime, RuntimeTraits>> = {
  node: {
    program: /^(?:node|nodejs)$/,
    entry: /\.[cm]?js$/,
    otherCode: /^(?:-r|--require|--import|--loader|--experimental-loader|-e|--eval)(?:=|$)/,
    sources: /\.(?:[cm]?js|[cm]?ts)$/,
    skipped: new Set(['node_modules', '.git']),
    handles:
      /\bSIGTERM\b|@godaddy\/terminus|\blightship\b|close-with-grace|http-graceful-shutdown|@lameduck\/node|enableShutdownHooks|fastify-graceful-shutdown/,
  },
  python: {
    program: /^python(?:\d+(?:\.\d+)?)?$/,
    entry: /\.py$/,
    otherCode: /^-[mc]/,
    sources: /\.py$/,
    skipped: new Set(['.git', '.venv', 'venv', 'site-packages', '__pycache__', '.tox']),
    // Servers that drain on SIGTERM themselves: uvicorn, hypercorn, aiohttp's run_app, Twisted, gunicorn.
    handles: /\bSIGTERM\b|\buvicorn\b|\bhypercorn\b|\baiohttp\b|\btwisted\b|\bgunicorn\b|\bwaitress\b/,
  },
};

/** The runtime a program is, by its name (`/usr/local/bin/python3.12` is python). */
export function runtimeOf(program: string): Runtime | undefined {
  const name = program.split('/').at(-1) ?? '';
  return (Object.keys(RUNTIMES) as Runtime[]).find((runtime) => RUNTIMES[runtime].program.test(name));
}

export function pid1AppFacts(
  runtime: Runtime,
  entry: string,
  sources: readonly { readonly text: string }[],
): Pid1App {
  return {
    runtime,
    entry,
    sourcesRead: sources.length,
    handlesSigterm: sources.some(({ text }) => RUNTIMES[runtime].handles.test(text)),
  };
}
