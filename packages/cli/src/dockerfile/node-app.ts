/**
 * Whether a Node app that the image starts as PID 1 handles SIGTERM. The kernel delivers a signal
 * sent into a PID namespace to its init only if init has a handler for it (pid_namespaces(7);
 * SIGKILL excepted), and Node installs none for SIGTERM. So the kubelet's SIGTERM is dropped: the
 * app keeps its listener open and runs on until SIGKILL at the end of the grace period.
 */

export interface NodeApp {
  /** The entry file as the command names it (`server.js`). */
  readonly entry: string;
  /** How many of the build context's JavaScript and TypeScript files were read. */
  readonly sourcesRead: number;
  /** Whether any of them handles SIGTERM, itself or through a shutdown library. */
  readonly handlesSigterm: boolean;
}

/** SIGTERM named in code, or a library that handles it for the app. */
const HANDLES_SIGTERM =
  /\bSIGTERM\b|@godaddy\/terminus|\blightship\b|close-with-grace|http-graceful-shutdown|@lameduck\/node|enableShutdownHooks|fastify-graceful-shutdown|@moebius\/http-graceful-shutdown/;

/** File names the build context's sources are read from. */
export const NODE_SOURCE = /\.(?:[cm]?js|[cm]?ts)$/;

export function nodeAppFacts(entry: string, sources: readonly { readonly text: string }[]): NodeApp {
  return {
    entry,
    sourcesRead: sources.length,
    handlesSigterm: sources.some(({ text }) => HANDLES_SIGTERM.test(text)),
  };
}
