import { isIngressNginxController } from '../../model/ingress-nginx-controller.js';
import { getString } from '../../model/json.js';
import { describeLink, officialNginxImage, runsNginx } from '../images.js';
import { DOCS_BASE, type Rule } from '../rule.js';

/** Official images stop with SIGQUIT; the ingress-nginx controller handles SIGTERM itself. */
const gracefulNginx = (image: string) => officialNginxImage(image) || /ingress-nginx/.test(image);

export const nginxFastShutdown: Rule = {
  id: 'nginx-fast-shutdown',
  severity: 'warning',
  description: 'An nginx container that will get SIGTERM (fast shutdown) instead of SIGQUIT.',
  docs: `${DOCS_BASE}#nginx-fast-shutdown`,
  messages: {
    fastShutdown:
      '{image}{link} is not built on the official nginx image, so nginx gets SIGTERM: a fast shutdown that drops open connections at once',
    baseUnknown:
      '{image}: if it is not built on an image that stops with SIGQUIT (the official nginx, nginx-unprivileged, Bitnami from 1.28), nginx gets SIGTERM, a fast shutdown that drops open connections at once; no Dockerfile in the input says how it is built',
  },
  check(context) {
    // A Job's nginx (a certificate generator, a migration) holds no connection a client waits on.
    if (context.kind === 'Job' || context.kind === 'CronJob') return [];
    return context.analysis.containers.flatMap(({ container, budget }) => {
      const image = getString(container.spec, ['image']) ?? '';
      if (!runsNginx(image) || gracefulNginx(image) || isIngressNginxController(container.spec)) return [];
      if (getString(container.spec, ['lifecycle', 'stopSignal']) === 'SIGQUIT') return [];
      // Cross-file: the Dockerfile that builds the image may set the signal or use the official base.
      const link = context.dockerfileFor(image);
      if (link && (link.facts.stopSignal?.signal === 'SIGQUIT' || gracefulNginx(link.facts.baseImage)))
        return [];
      const hook = budget.preStop;
      if (hook.kind === 'exec' && hook.command.join(' ').includes('-s quit')) return [];
      return [
        {
          path: [...container.path, 'image'],
          container: container.name,
          // Most images built on nginx today inherit its SIGQUIT (nginxdemos' images): without the
          // Dockerfile, say it at info.
          ...(link
            ? { messageId: 'fastShutdown', data: { image, link: ` (${describeLink(link)})` } }
            : { messageId: 'baseUnknown', severity: 'info' as const, data: { image } }),
          fix: 'add STOPSIGNAL SIGQUIT to its Dockerfile, or a preStop exec ["/usr/sbin/nginx", "-s", "quit"] after the sleep',
        },
      ];
    });
  },
};
