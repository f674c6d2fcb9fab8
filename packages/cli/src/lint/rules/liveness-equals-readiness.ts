import { isDeepStrictEqual } from 'node:util';
import { DOCS_BASE, type Rule } from '../rule.js';

/** Timing fields differ freely; what is probed decides whether the two can disagree. */
function probeTarget(probe: Record<string, unknown>): unknown {
  const { httpGet, tcpSocket, grpc, exec } = probe;
  return { httpGet, tcpSocket, grpc, exec };
}

export const livenessEqualsReadiness: Rule = {
  id: 'liveness-equals-readiness',
  severity: 'info',
  description: 'The liveness probe checks exactly what the readiness probe checks.',
  docs: `${DOCS_BASE}#liveness-equals-readiness`,
  messages: {
    oneCheckForBoth:
      'a draining app must fail readiness{status} but keep passing liveness; with one check for both, either draining looks like death (restart) or readiness never fails',
  },
  check(context) {
    return context.analysis.containers.flatMap(({ container }) => {
      const { livenessProbe, readinessProbe } = container.spec;
      if (
        typeof livenessProbe !== 'object' ||
        typeof readinessProbe !== 'object' ||
        !livenessProbe ||
        !readinessProbe
      )
        return [];
      if (
        !isDeepStrictEqual(
          probeTarget(livenessProbe as Record<string, unknown>),
          probeTarget(readinessProbe as Record<string, unknown>),
        )
      )
        return [];
      return [
        {
          path: [...container.path, 'livenessProbe'],
          container: container.name,
          messageId: 'oneCheckForBoth',
          data: {
            status: typeof (readinessProbe as Record<string, unknown>).httpGet === 'object' ? ' (503)' : '',
          },
          fix: 'probe a separate liveness endpoint that stays 200 while draining (e.g. /healthz/live)',
        },
      ];
    });
  },
};
