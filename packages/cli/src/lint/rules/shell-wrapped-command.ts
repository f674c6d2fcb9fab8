import { getString } from '../../model/json.js';
import { loadGenerator } from '../../model/protocols.js';
import { isNodeApp, PRELOAD_ADVICE } from '../node-preload.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const shellWrappedCommand: Rule = {
  id: 'shell-wrapped-command',
  severity: 'error',
  description: 'Container command runs the app through sh -c without exec, or via npm/yarn/pnpm start.',
  docs: `${DOCS_BASE}#shell-wrapped-command`,
  messages: {
    sigtermLost:
      '{reason}: the app is SIGKILLed at the end of the grace period (exit code 137) and in-flight requests are cut',
    jobKilled:
      '{reason}: a {kind} stopped early (deleted, evicted, past its deadline) is SIGKILLed at the end of the grace period, its work cut; it serves no request',
    loadGenerator:
      '{reason}: {program} is SIGKILLed at the end of the grace period; a load generator serves no request, so each stop costs only that wait',
    servesNothing:
      '{reason}: it is SIGKILLed at the end of the grace period; {because}, so each stop costs only that wait',
  },
  check(context) {
    // A Job runs to completion: it is stopped only early, and then loses its work, not a request.
    const batch = context.kind === 'Job' || context.kind === 'CronJob';
    // A container that serves nothing (an exporter, a collector, a sidecar with no port) loses no
    // request either: only the wait for SIGKILL.
    const evidenceOf = new Map(context.serving.map((c) => [c.container.name, c.evidence]));
    return context.analysis.containers.flatMap(({ container, sigterm }) => {
      if (sigterm.reaches) return [];
      const evidence = evidenceOf.get(container.name);
      const argv = [container.spec.command, container.spec.args].flatMap((list) =>
        Array.isArray(list) ? list.map(String) : [],
      );
      const generator = loadGenerator(argv);
      const fix =
        'run the app directly (["node", "server.js"]), or prefix the last command with exec, or use tini';
      return [
        {
          path: [...container.path, sigterm.field],
          container: container.name,
          ...(batch
            ? {
                messageId: 'jobKilled',
                severity: 'info' as const,
                data: { reason: sigterm.reason, kind: context.kind },
              }
            : generator
              ? {
                  messageId: 'loadGenerator',
                  severity: 'info' as const,
                  data: { reason: sigterm.reason, program: generator },
                }
              : evidence?.kind === 'not-serving'
                ? {
                    messageId: 'servesNothing',
                    severity: 'info' as const,
                    data: { reason: sigterm.reason, because: evidence.because },
                  }
                : { messageId: 'sigtermLost', data: { reason: sigterm.reason } }),
          fix: isNodeApp(getString(container.spec, ['image']), argv) ? `${fix}; ${PRELOAD_ADVICE}` : fix,
        },
      ];
    });
  },
};
