/** Rules over a Dockerfile's final stage and the entrypoint script it copies in. */
import type { DockerfileContext, DockerfileFacts } from '../dockerfile/facts.js';
import type { RuleMessage } from './messages.js';
import type { RuleMeta, Severity } from './rule.js';

export interface DockerfileFinding extends RuleMessage {
  /** The file the finding is in, when not the Dockerfile (the entrypoint script). */
  readonly file?: string;
  readonly line: number;
  readonly column: number;
  readonly fix: string;
  /** Lower than the rule's severity when what the image starts serves no request. */
  readonly severity?: Severity;
}

export interface DockerfileRule extends RuleMeta {
  check(context: DockerfileContext): DockerfileFinding[];
  /** The Dockerfile's text with the finding fixed, where a safe fix exists. */
  fix?(facts: DockerfileFacts): string | undefined;
}

const PACKAGE_MANAGER = /^(?:npm|npx|yarn|pnpm)$/;

/** npm/yarn/pnpm when that is what the container starts (directly, or via node running its CLI). */
export function packageManagerOf(argv: readonly string[]): string | undefined {
  const [program, script] = argv.map((a) => a.split('/').pop() ?? a);
  if (program && PACKAGE_MANAGER.test(program)) return program;
  if (program === 'node' && script && /^(npm|yarn|pnpm)(?:-cli)?(?:\.c?js)?$/.test(script))
    return script.replace(/(?:-cli)?(?:\.c?js)?$/, '');
  return undefined;
}
