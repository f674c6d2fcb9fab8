import { startedProcess } from '../../dockerfile/facts.js';
import type { DockerfileRule } from '../dockerfile-rule.js';
import { officialNginxImage } from '../images.js';
import { DOCS_BASE } from '../rule.js';

export const dockerfileNginxStopsignal: DockerfileRule = {
  id: 'dockerfile-nginx-stopsignal',
  severity: 'warning',
  description: 'nginx built from a non-official base without STOPSIGNAL SIGQUIT.',
  docs: `${DOCS_BASE}#dockerfile-nginx-stopsignal`,
  messages: {
    fastShutdown:
      'nginx gets SIGTERM, its fast shutdown: open connections are dropped at once (the official nginx image stops with SIGQUIT, a graceful shutdown; {baseImage} does not)',
  },
  check({ facts }) {
    const process = startedProcess(facts);
    const runsNginx = process?.argv.some((arg) => /(?:^|\/|\s)nginx(?:\s|$)/.test(arg)) ?? false;
    if (!runsNginx || officialNginxImage(facts.baseImage) || facts.stopSignal?.signal === 'SIGQUIT')
      return [];
    return [
      {
        line: facts.from.line,
        column: facts.from.column,
        messageId: 'fastShutdown',
        data: { baseImage: facts.baseImage ?? '' },
        fix: 'add STOPSIGNAL SIGQUIT to the final stage',
      },
    ];
  },
  fix(facts) {
    // The final stage runs to the end of the file: the instruction goes last.
    return `${facts.text.replace(/\n*$/, '\n')}STOPSIGNAL SIGQUIT\n`;
  },
};
