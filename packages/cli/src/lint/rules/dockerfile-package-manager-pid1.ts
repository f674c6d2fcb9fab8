import { imageShell } from '../../model/shells.js';
import { npmReachesApp } from '../../model/sigterm-path.js';
import { type DockerfileRule, packageManagerOf } from '../dockerfile-rule.js';
import { PRELOAD_ADVICE } from '../node-preload.js';
import { DOCS_BASE } from '../rule.js';

export const dockerfilePackageManagerPid1: DockerfileRule = {
  id: 'dockerfile-package-manager-pid1',
  severity: 'error',
  description: 'npm, yarn or pnpm is the process that receives SIGTERM.',
  docs: `${DOCS_BASE}#dockerfile-package-manager-pid1`,
  messages: {
    managerIsPid1:
      '{manager} receives SIGTERM and does not forward it to the app: the app is SIGKILLed at the end of the grace period (exit code 137) and in-flight requests are cut',
    npmExitsFirst:
      'npm receives SIGTERM and passes it only to the shell it runs the start script with, dash in {baseImage}, which dies of it; npm then exits and takes the app down at once: in-flight requests are cut at SIGTERM, with no drain',
  },
  check({ facts }) {
    // With an exec-form ENTRYPOINT, CMD is only its arguments; otherwise CMD is the process.
    const process =
      facts.entrypoint?.form === 'exec' && facts.entrypoint.argv.length > 0 ? facts.entrypoint : facts.cmd;
    if (process?.form !== 'exec') return [];
    const manager = packageManagerOf(process.argv);
    if (!manager || (manager === 'npm' && npmReachesApp(facts.baseImage))) return [];
    return [
      {
        line: process.line,
        column: process.column,
        // npm 7+ forwards SIGTERM to its script's shell (model/shells.fidelity.test.ts): dash dies of
        // it, npm exits with it, and PID 1's exit ends the container there and then.
        ...(manager === 'npm' && imageShell(facts.baseImage) === 'dash'
          ? { messageId: 'npmExitsFirst', data: { baseImage: facts.baseImage } }
          : { messageId: 'managerIsPid1', data: { manager } }),
        fix: `${process.keyword} ["node", "server.js"] (start the app directly; tini -g also reaches it); ${PRELOAD_ADVICE}`,
      },
    ];
  },
};
