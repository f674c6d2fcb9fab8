import { startedProcess } from '../../dockerfile/facts.js';
import type { DockerfileRule } from '../dockerfile-rule.js';
import { PRELOAD_IMPORT } from '../node-preload.js';
import { DOCS_BASE } from '../rule.js';

export const dockerfileNodeSigtermUnhandled: DockerfileRule = {
  id: 'dockerfile-node-sigterm-unhandled',
  severity: 'warning',
  description: 'node runs as PID 1 and nothing in the build context handles SIGTERM.',
  docs: `${DOCS_BASE}#dockerfile-node-sigterm-unhandled`,
  messages: {
    sigtermDropped:
      'node {entry} runs as PID 1 and none of the {sourcesRead} source files in the build context handles SIGTERM: the kernel drops a signal to PID 1 that has no handler, so the app keeps its listener open until SIGKILL at the end of the grace period (exit code 137) and the requests in flight then are cut',
  },
  check({ facts, node }) {
    const process = startedProcess(facts);
    if (!node || node.handlesSigterm || !process) return [];
    const argv = process.argv.map((word) => JSON.stringify(word));
    return [
      {
        line: process.line,
        column: process.column,
        messageId: 'sigtermDropped',
        data: { entry: node.entry, sourcesRead: node.sourcesRead },
        fix: `drain on SIGTERM (close the server, let requests finish, then exit): with no code change, ${process.keyword} [${[argv[0], ...PRELOAD_IMPORT.map((word) => JSON.stringify(word)), ...argv.slice(1)].join(', ')}] (npm install @lameduck/node); or handle process.on('SIGTERM') in ${node.entry}`,
      },
    ];
  },
};
