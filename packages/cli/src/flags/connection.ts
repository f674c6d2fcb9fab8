/** -n, --context, --kubeconfig and --in-cluster, as kubectl spells them: verify and collect. */
import type { Command } from 'commander';
import { connect } from '../kube/client.js';

export interface ConnectionFlags {
  readonly namespace?: string;
  readonly context?: string;
  readonly kubeconfig?: string;
  readonly inCluster?: boolean;
}

export function connectionOptions(command: Command): Command {
  return command
    .option('-n, --namespace <ns>', "namespace (default: the context's, else default)")
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--in-cluster', "use the pod's service account (running inside the cluster)");
}

export function connectWithFlags(flags: ConnectionFlags, env: NodeJS.ProcessEnv) {
  return connect({
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    namespace: flags.namespace,
    inCluster: flags.inCluster === true,
    env,
  });
}
