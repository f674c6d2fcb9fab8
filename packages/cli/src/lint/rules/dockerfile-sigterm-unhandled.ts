import { startedProcess } from '../../dockerfile/facts.js';
import { type StartedApp, sigtermDropped } from '../../dockerfile/started-app.js';
import type { DockerfileRule } from '../dockerfile-rule.js';
import { PRELOAD_IMPORT } from '../node-preload.js';
import { DOCS_BASE } from '../rule.js';

/** What makes each runtime's app drain on SIGTERM: for Node, the preload needs no code change. */
function drainAdvice(app: StartedApp, keyword: string, argv: readonly string[]): string {
  if (app.runtime === 'python')
    return `handle it in ${app.entry} (signal.signal(signal.SIGTERM, ...): stop accepting, let requests finish, exit), or serve with gunicorn or uvicorn, which drain on SIGTERM`;
  if (app.runtime === 'go')
    return 'handle it: ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM), then server.Shutdown (or GracefulStop for gRPC) once ctx is done, which stops accepting and lets requests finish';
  const [program, ...rest] = argv.map((word) => JSON.stringify(word));
  // Behind npm or an init the node command is not the image's: NODE_OPTIONS reaches it all the same.
  const preload =
    program === '"node"' || program === '"nodejs"'
      ? `${keyword} [${[program, ...PRELOAD_IMPORT.map((word) => JSON.stringify(word)), ...rest].join(', ')}]`
      : `ENV NODE_OPTIONS="${PRELOAD_IMPORT.join(' ')}"`;
  return `drain on SIGTERM (close the server, let requests finish, then exit): with no code change, ${preload} (npm install @lameduck/node); or handle process.on('SIGTERM') in ${app.entry}`;
}

export const dockerfileSigtermUnhandled: DockerfileRule = {
  id: 'dockerfile-sigterm-unhandled',
  severity: 'warning',
  description:
    'The app the image starts (node, python, a Go server) has no SIGTERM handler in the build context: as PID 1 it ignores SIGTERM, otherwise it exits at once.',
  docs: `${DOCS_BASE}#dockerfile-sigterm-unhandled`,
  messages: {
    sigtermDropped:
      '{runtime} {entry} runs as PID 1 and none of the {sourcesRead} source files in the build context handles SIGTERM: the kernel drops a signal to PID 1 that has no handler, so the app keeps its listener open until SIGKILL at the end of the grace period (exit code 137) and the requests in flight then are cut',
    exitsAtOnce:
      '{runtime} {entry} gets SIGTERM{through} and none of the {sourcesRead} source files in the build context handles it: the default action ends the process at once, so the requests in flight are cut and kept-alive connections reset, even after a preStop has waited out endpoint removal',
  },
  check({ facts, startedApp }) {
    const process = startedProcess(facts);
    if (!startedApp || startedApp.handlesSigterm || !process) return [];
    const dropped = sigtermDropped(startedApp);
    const through = startedApp.pid1 ? '' : ` from ${process.argv[0] ?? 'its parent'}, which passes it on,`;
    return [
      {
        line: process.line,
        column: process.column,
        messageId: dropped ? 'sigtermDropped' : 'exitsAtOnce',
        data: {
          runtime: startedApp.runtime,
          entry: startedApp.entry,
          sourcesRead: startedApp.sourcesRead,
          ...(dropped ? {} : { through }),
        },
        fix: drainAdvice(startedApp, process.keyword, process.argv),
      },
    ];
  },
};
