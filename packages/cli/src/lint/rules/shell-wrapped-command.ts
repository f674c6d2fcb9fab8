import { DOCS_BASE, type Rule } from '../rule.js';

const SHELL = /^(?:\/usr)?(?:\/bin\/)?(?:sh|bash|ash|dash)$/;
const PACKAGE_MANAGER_START = /^(?:\S*\/)?(npm|yarn|pnpm)\s+(?:run\s+)?start\b|^(?:\S*\/)?(npm|yarn|pnpm)$/;

/** Why SIGTERM would not reach the app, or undefined when it does. */
function problem(argv: readonly string[]): string | undefined {
  const [program, flag, script] = argv;
  if (program === undefined) return undefined;
  const manager = PACKAGE_MANAGER_START.exec(argv.join(' '));
  if (manager) return `${manager[1] ?? manager[2]} becomes PID 1 and does not forward SIGTERM to the app`;
  if (!SHELL.test(program) || flag !== '-c' || script === undefined) return undefined;
  // The shell is replaced only by an exec of its last command.
  const last = script
    .split(/;|&&|\|\||\n/)
    .map((part) => part.trim())
    .filter(Boolean)
    .pop();
  if (last === undefined || /^exec\s/.test(last)) return undefined;
  if (PACKAGE_MANAGER_START.test(last))
    return 'the shell runs a package manager that does not forward SIGTERM';
  if (/[;&|\n]/.test(script.trim())) return 'the shell stays PID 1 and does not forward SIGTERM to the app';
  // bash execs a lone simple command; dash (sh on Debian and Ubuntu, 0.5.12 tested by the lab's
  // fidelity tests) does not, so `sh -c "node server.js"` keeps sh as PID 1.
  if (/bash$/.test(program)) return undefined;
  return `${program} is dash on Debian and Ubuntu images, which does not exec even a lone command: the shell stays PID 1 and does not forward SIGTERM to the app`;
}

export const shellWrappedCommand: Rule = {
  id: 'shell-wrapped-command',
  severity: 'warning',
  description: 'Container command runs the app through sh -c without exec, or via npm/yarn/pnpm start.',
  docs: `${DOCS_BASE}#shell-wrapped-command`,
  check(context) {
    return context.analysis.containers.flatMap(({ container }) => {
      const command = Array.isArray(container.spec.command) ? container.spec.command.map(String) : [];
      const args = Array.isArray(container.spec.args) ? container.spec.args.map(String) : [];
      const why = problem([...command, ...args]);
      if (!why) return [];
      return [
        {
          path: [...container.path, command.length > 0 ? 'command' : 'args'],
          container: container.name,
          message: `${why}: the app is SIGKILLed at the end of the grace period (exit code 137) and in-flight requests are cut`,
          fix: 'run the app directly (["node", "server.js"]), or prefix the last command with exec, or use tini',
        },
      ];
    });
  },
};
