import { formatSeconds as t } from '../../model/duration.js';
import { ingressNginxController } from '../../model/ingress-nginx-controller.js';
import { describeRange } from '../../model/parties.js';
import { DOCS_BASE, type Rule, type RuleFinding } from '../rule.js';

const defaulted = (set: boolean) => (set ? '' : ', the default');

export const ingressNginxControllerShutdown: Rule = {
  id: 'ingress-nginx-controller-shutdown',
  severity: 'warning',
  description:
    'The ingress-nginx controller closes its listeners before the load balancer in front stops sending, or needs longer than its grace period.',
  docs: `${DOCS_BASE}#ingress-nginx-controller-shutdown`,
  messages: {
    quitsBeforeBalancer:
      'the ingress-nginx controller runs nginx -s quit at t={quitAt} ({when}), which closes its listeners, while {balancer} may still send it new connections for {range}: they are refused, and every Ingress behind this controller fails requests (resets, 502s) during every controller rollout',
    graceTooShort:
      'the ingress-nginx controller quits nginx at t={quitAt} ({when}), lets open requests run for up to {workerShutdown} (worker-shutdown-timeout{workerDefault}) and exits {postShutdown} after nginx (--post-shutdown-grace-period): it needs {needed}, but SIGKILL comes at t={grace}: requests and WebSockets still open through nginx then are cut',
  },
  check(context) {
    const coverage = context.preStopCoverage;
    const { template, specGraceSeconds } = context.analysis;
    return context.analysis.containers.flatMap(({ container, budget }) => {
      const controller =
        container.role === 'main' ? ingressNginxController(container.spec, context) : undefined;
      if (!controller) return [];
      // /wait-shutdown signals the controller at once; any other hook delays SIGTERM by its length.
      const sigtermAt = controller.waitShutdownHook ? 0 : budget.sigtermAt;
      if (sigtermAt === undefined) return [];
      const quitAt = sigtermAt + controller.shutdownGraceSeconds;
      const when = `${controller.waitShutdownHook ? 'SIGTERM from /wait-shutdown at t=0' : `SIGTERM at t=${t(sigtermAt)}`}, then --shutdown-grace-period ${controller.shutdownGraceSeconds}${defaulted(controller.shutdownGraceSet)}`;
      const needed = quitAt + controller.workerShutdownTimeoutSeconds + controller.postShutdownGraceSeconds;
      const findings: RuleFinding[] = [];
      if (coverage.party !== undefined && quitAt < coverage.range.min) {
        findings.push({
          path: [...container.path, 'args'],
          container: container.name,
          messageId: 'quitsBeforeBalancer',
          data: { quitAt: t(quitAt), when, balancer: coverage.basis, range: describeRange(coverage.range) },
          fix: `add --shutdown-grace-period=${Math.ceil(coverage.range.max - sigtermAt)} to the controller's args (the preStop can stay /wait-shutdown), with terminationGracePeriodSeconds above it + worker-shutdown-timeout + --post-shutdown-grace-period`,
        });
      }
      if (needed > budget.graceSeconds) {
        findings.push({
          path: [
            ...template.path,
            'spec',
            ...(specGraceSeconds === undefined ? [] : ['terminationGracePeriodSeconds']),
          ],
          container: container.name,
          messageId: 'graceTooShort',
          data: {
            quitAt: t(quitAt),
            when,
            workerShutdown: t(controller.workerShutdownTimeoutSeconds),
            workerDefault: defaulted(controller.workerShutdownTimeoutSet),
            postShutdown: t(controller.postShutdownGraceSeconds),
            needed: t(needed),
            grace: t(budget.graceSeconds),
          },
          fix: `terminationGracePeriodSeconds: ${Math.ceil(needed)} or more (the Helm chart's is 300), or a shorter worker-shutdown-timeout in the controller's ConfigMap`,
        });
      }
      return findings;
    });
  },
};
