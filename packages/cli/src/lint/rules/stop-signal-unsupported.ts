import { stopSignalNote } from '../../model/stop-signal.js';
import { DOCS_BASE, type Rule } from '../rule.js';

export const stopSignalUnsupported: Rule = {
  id: 'stop-signal-unsupported',
  severity: 'warning',
  description: 'lifecycle.stopSignal without spec.os.name, before 1.33, or behind the alpha gate.',
  docs: `${DOCS_BASE}#stop-signal-unsupported`,
  messages: {
    signalIgnored: '{note}',
  },
  check(context) {
    return context.analysis.containers.flatMap(({ container }) => {
      const note = stopSignalNote(
        container.spec,
        context.analysis.template.spec,
        context.options.kubeVersion,
      );
      return note
        ? [
            {
              path: [...container.path, 'lifecycle', 'stopSignal'],
              container: container.name,
              messageId: 'signalIgnored',
              data: { note },
              fix: 'set the signal in the image (STOPSIGNAL), or use a preStop hook that signals the app',
            },
          ]
        : [];
    });
  },
};
