/**
 * The runtime library's zero-code preload, offered wherever a finding about PID 1 concerns a Node
 * app: with the app started directly, `--import @lameduck/node/register` also drains it on SIGTERM
 * without a line of code changed (packages/node, "Zero-code adoption").
 */
import { nodeCommand, nodeImage } from '../model/images.js';

export const PRELOAD_IMPORT = ['--import', '@lameduck/node/register'] as const;

/** Whether the image or the command says Node. */
export function isNodeApp(image: string | undefined, argv: readonly string[]): boolean {
  return (image !== undefined && nodeImage(image)) || nodeCommand(argv);
}

/** The clause a fix hint gains for a Node app. */
export const PRELOAD_ADVICE = `for a Node app, ["node", "${PRELOAD_IMPORT.join('", "')}", "server.js"] also drains it on SIGTERM with no code change (npm install @lameduck/node)`;
