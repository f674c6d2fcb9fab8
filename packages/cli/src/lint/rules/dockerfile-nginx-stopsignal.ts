import { startedProcess } from '../../dockerfile/facts.js';
import type { DockerfileRule } from '../dockerfile-rule.js';
import { officialNginxImage } from '../images.js';
import { DOCS_BASE } from '../rule.js';

const NGINX_COMMAND = /(?:^|\/|\s)nginx(?:\s|$)/;

/**
 * The entrypoint script starts nginx (`/usr/sbin/nginx -g "daemon off;" &`, `exec nginx`) and does
 * not turn the kubelet's SIGTERM into a graceful stop itself (`nginx -s quit`, `kill -QUIT`):
 * NGINX Gateway Fabric's data plane forwards TERM to nginx from its trap.
 */
function startsNginx(script: string | undefined): boolean {
  if (script === undefined) return false;
  const commands = script.split('\n').filter((line) => !line.trimStart().startsWith('#'));
  const starts = commands.some((line) =>
    /(?:^|[\s/;&|])nginx(?:-debug)?\s+(?:-g|-c)\b|^\s*(?:exec\s+)?(?:\/usr\/sbin\/)?nginx\s*$/.test(line),
  );
  const quits = commands.some((line) => /nginx\s+-s\s+quit\b|kill\s+(?:-QUIT|-s\s+QUIT|-3)\b/.test(line));
  return starts && !quits;
}

export const dockerfileNginxStopsignal: DockerfileRule = {
  id: 'dockerfile-nginx-stopsignal',
  severity: 'warning',
  description: 'nginx built from a non-official base without STOPSIGNAL SIGQUIT.',
  docs: `${DOCS_BASE}#dockerfile-nginx-stopsignal`,
  messages: {
    fastShutdown:
      'nginx gets SIGTERM, its fast shutdown: open connections are dropped at once (the official nginx image stops with SIGQUIT, a graceful shutdown; {baseImage} does not)',
  },
  check({ facts, script }) {
    const process = startedProcess(facts);
    const runsNginx =
      (process?.argv.some((arg) => NGINX_COMMAND.test(arg)) ?? false) || startsNginx(script?.text);
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
