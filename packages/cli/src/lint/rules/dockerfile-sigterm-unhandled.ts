import { startedProcess } from '../../dockerfile/facts.js';
import type { Pid1App } from '../../dockerfile/pid1-app.js';
import type { DockerfileRule } from '../dockerfile-rule.js';
import { PRELOAD_IMPORT } from '../node-preload.js';
import { DOCS_BASE } from '../rule.js';

/** What makes each runtime's app drain on SIGTERM: for Node, the preload needs no code change. */
function drainAdvice(app: Pid1App, keyword: string, argv: readonly string[]): string {
  if (app.runtime === 'python')
    return `handle it in ${app.entry} (signal.signal(signal.SIGTERM, ...): stop accepting, let requests finish, exit), or serve with gunicorn or uvicorn, which drain on SIGTERM`;
  const [program, ...rest] = argv.map((word) => JSON.stringify(word));
  const preloaded = [program, ...PRELOAD_IMPORT.map((word) => JSON.stringify(word)), ...rest].join(', ');
  return `drain on SIGTERM (close the server, let requests finish, then exit): with no code change, ${keyword} [${preloaded}] (npm install @lameduck/node); or handle process.on('SIGTERM') in ${app.entry}`;
}

export const dockerfileSigtermUnhandled: DockerfileRule = {
  id: 'dockerfile-sigterm-unhandled',
  severity: 'warning',
  description: 'node or python runs as PID 1 and nothing in the build context handles SIGTERM.',
  docs: `${DOCS_BASE}#dockerfile-sigterm-unhandled`,
  messages: {
    sigtermDropped:
      '{runtime} {entry} runs as PID 1 and none of the {sourcesRead} source files in the build context handles SIGTERM: the kernel drops a signal to PID 1 that has no handler, so the app keeps its listener open until SIGKILL at the end of the grace period (exit code 137) and the requests in flight then are cut',
  },
  check({ facts, pid1App }) {
    const process = startedProcess(facts);
    if (!pid1App || pid1App.handlesSigterm || !process) return [];
    return [
      {
        line: process.line,
        column: process.column,
        messageId: 'sigtermDropped',
        data: { runtime: pid1App.runtime, entry: pid1App.entry, sourcesRead: pid1App.sourcesRead },
        fix: drainAdvice(pid1App, process.keyword, process.argv),
      },
    ];
  },
};
