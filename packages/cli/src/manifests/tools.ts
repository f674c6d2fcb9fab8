/**
 * Where the renderers lint runs live: on PATH as the user installed them, else in the cache that
 * scripts/tools/build.sh fills (built from the Go module proxy). No tool is ever downloaded here.
 */
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export type RenderTool = 'helm' | 'kustomize' | 'kubectl';

/** The cache directory of scripts/tools/build.sh: $LAMEDUCK_CACHE/tools/bin. */
export function toolCache(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.LAMEDUCK_CACHE ?? join(homedir(), '.cache', 'lameduck'), 'tools', 'bin');
}

/** The executable path of a tool, or undefined when neither PATH nor the cache holds it. */
export function findTool(name: RenderTool, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const directories = [...(env.PATH ?? '').split(delimiter).filter(Boolean), toolCache(env)];
  for (const directory of directories) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** How long one render may take: a chart or kustomization that loops forever is stopped. */
export const RENDER_TIMEOUT_MS = 30_000;
/** How much one render may write: far above any real output, far below what exhausts memory. */
export const MAX_RENDERED_BYTES = 64 * 1024 * 1024;

/** A renderer's environment additions that make any fetch fail at once: git and HTTP go to a closed local port. */
export const NO_NETWORK = {
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  ALL_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: '',
  GIT_TERMINAL_PROMPT: '0',
};
