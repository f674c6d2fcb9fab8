/**
 * Whether the app an image starts (`node server.js`, `python app.py`, a Go server's binary) handles
 * SIGTERM, read from the build context's own sources. Two ways to lose requests without a handler:
 * - as PID 1, node and python install none, and the kernel delivers a signal sent into a PID
 *   namespace to its init only if init has a handler (pid_namespaces(7); SIGKILL excepted): the
 *   app keeps its listener open and runs on until SIGKILL at the end of the grace period;
 * - behind an init (tini, dumb-init) or npm, which pass SIGTERM on, and for Go, whose runtime
 *   handles every signal itself (os/signal: "a SIGTERM ... causes the program to exit"), the
 *   default action ends the process at once: the requests under way are cut.
 */

export type Runtime = 'node' | 'python' | 'go';

export interface StartedApp {
  readonly runtime: Runtime;
  /** The entry file as the command names it (`server.js`, `app.py`), or the Go binary. */
  readonly entry: string;
  /** Whether the app itself is the container's PID 1 (no init or npm in front). */
  readonly pid1: boolean;
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
  /**
   * Sources that start a server. An app whose sources start none is a worker or a client (a load
   * generator, a queue consumer): SIGTERM unhandled costs it the grace period, not a request.
   */
  readonly serves: RegExp;
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
    serves: /\.listen\(|\bcreateServer\(|\bexpress\b|\bfastify\b|\bkoa\b|@hapi\/|@nestjs\/|\bnew Server\(/,
  },
  python: {
    program: /^python(?:\d+(?:\.\d+)?)?$/,
    entry: /\.py$/,
    otherCode: /^-[mc]/,
    sources: /\.py$/,
    skipped: new Set(['.git', '.venv', 'venv', 'site-packages', '__pycache__', '.tox']),
    // Servers that drain on SIGTERM themselves: uvicorn, hypercorn, aiohttp's run_app, Twisted, gunicorn.
    handles: /\bSIGTERM\b|\buvicorn\b|\bhypercorn\b|\baiohttp\b|\btwisted\b|\bgunicorn\b|\bwaitress\b/,
    serves:
      /\b(?:Flask|Quart|FastAPI|Starlette|Sanic|Bottle)\(|\bweb\.Application\(|\bHTTPServer\b|\bserve_forever\b|\bgrpc\.(?:aio\.)?server\(|\b(?:uvicorn|hypercorn|waitress|gunicorn|tornado|falcon|django|cherrypy|twisted|connexion|pyramid|wsgiref|socketserver|aiohttp)\b|\.bind\(|\.listen\(/,
  },
  go: {
    // A Go binary is no interpreter by name: the image's own binary, from a Go module in the context,
    // installed anywhere but the system's directories (/bin/sh is no Go server).
    program: /(?!)/,
    entry: /^(?!\/(?:usr\/)?s?bin\/)\.?\//,
    otherCode: /(?!)/,
    sources: /^(?!.*_test\.go$).*\.go$/,
    skipped: new Set(['.git', 'vendor', 'testdata', 'node_modules']),
    // SIGTERM named, or every signal asked for (`signal.Notify(ch)`: importing os/signal for
    // SIGINT alone leaves SIGTERM to the runtime, which exits), the frameworks that install the
    // handler for the app (controller-runtime, the API server's library, knative, fx, Kratos,
    // go-zero, go-micro, GoFrame), or a Shutdown the app calls or hands to a graceful wrapper.
    handles:
      /\bSIGTERM\b|\bsignal\.Notify(?:Context)?\(\s*[^,()]*(?:\([^()]*\))?\s*\)|SignalHandler|SetupSignalContext|signals\.NewContext|go\.uber\.org\/fx|go-kratos\/kratos|zeromicro\/go-zero|go-micro|gogf\/gf|\.Shutdown\b|\.GracefulStop\b/,
    serves: /ListenAndServe|\.Serve\(|\.RunTLS\(|\bgin\.(?:New|Default)\(|grpc\.NewServer\(/,
  },
};

/** The runtime a program is, by its name (`/usr/local/bin/python3.12` is python). */
export function runtimeOf(program: string): Runtime | undefined {
  const name = program.split('/').at(-1) ?? '';
  return (Object.keys(RUNTIMES) as Runtime[]).find((runtime) => RUNTIMES[runtime].program.test(name));
}

/** What the sources say of the started app; undefined when they start no server (a worker, a client). */
export function startedAppFacts(
  runtime: Runtime,
  entry: string,
  pid1: boolean,
  sources: readonly { readonly text: string }[],
): StartedApp | undefined {
  const { handles, serves } = RUNTIMES[runtime];
  if (!sources.some(({ text }) => serves.test(text))) return undefined;
  return {
    runtime,
    entry,
    pid1,
    sourcesRead: sources.length,
    handlesSigterm: sources.some(({ text }) => handles.test(text)),
  };
}

/**
 * Whether SIGTERM is dropped (the app is PID 1 with no handler, and not Go, whose runtime handles
 * it) and the app keeps its listener open until SIGKILL; otherwise an unhandled SIGTERM ends it at once.
 */
export function sigtermDropped(app: StartedApp): boolean {
  return app.pid1 && app.runtime !== 'go' && !app.handlesSigterm;
}
