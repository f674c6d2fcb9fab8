import { SHELL_OR_SLEEP, shellLessImage } from '../../model/images.js';
import { getString } from '../../model/json.js';
import { describeLink } from '../images.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const prestopExecSleepInShellLessImage: Rule = {
  id: 'prestop-exec-sleep-in-shell-less-image',
  severity: 'error',
  description: 'An exec preStop needs sh or sleep, and the image has neither.',
  docs: `${DOCS_BASE}#prestop-exec-sleep-in-shell-less-image`,
  messages: {
    programMissing:
      'the hook runs {program}, which {image}{link} does not contain: it fails (FailedPreStopHook) and SIGTERM arrives at once, while routing still sends traffic',
  },
  check(context) {
    return context.analysis.containers.flatMap(({ container, budget }) => {
      const image = getString(container.spec, ['image']) ?? '';
      if (budget.preStop.kind !== 'exec-sleep' && budget.preStop.kind !== 'exec') return [];
      // The image's own name, or (cross-file) the final stage of the Dockerfile that builds it.
      const link = context.dockerfileFor(image);
      const linkedShellLess =
        link !== undefined && (link.facts.baseImage === 'scratch' || shellLessImage(link.facts.baseImage));
      if (!shellLessImage(image) && !linkedShellLess) return [];
      const program = budget.preStop.command[0] ?? '';
      if (!SHELL_OR_SLEEP.test(program)) return [];
      return [
        {
          path: [...container.path, 'lifecycle', 'preStop', 'exec', 'command'],
          container: container.name,
          messageId: 'programMissing',
          data: { program, image, link: linkedShellLess && link ? `, ${describeLink(link)},` : '' },
          fix: `lifecycle.preStop.sleep.seconds: ${budget.preStop.kind === 'exec-sleep' ? budget.preStop.seconds : 15} (run by the kubelet, no binary needed; Kubernetes 1.30+)`,
        },
      ];
    });
  },
};
