/**
 * Whether a workload is written for an environment no user depends on, by the names teams give
 * such environments: its namespace (`shop-dev`) or the directory it comes from (`overlays/dev`,
 * `deploy/kind`), or a server started in its development mode (Keycloak's `start-dev`, `vault
 * server -dev`: state in memory, lost by any restart). A single replica there is a choice, not an
 * outage waiting to happen.
 */
const DEVELOPMENT_NAMES = new Set([
  'dev',
  'develop',
  'development',
  'local',
  'localdev',
  'test',
  'testing',
  'ci',
  'sandbox',
  'minikube',
  'kind',
]);

/** A word of a command line that starts a server in its development mode. */
const DEVELOPMENT_MODE = /^(?:start-dev|-dev|--dev|--dev-mode)$/;

/**
 * The namespace, directory or development-mode argument that names a development environment, said
 * as it should be shown; else undefined. `argv` is the main containers' command and args.
 */
export function developmentEnvironment(
  namespace: string | undefined,
  directory: string | undefined,
  argv: readonly string[] = [],
): string | undefined {
  const named = (words: readonly string[]) => words.some((word) => DEVELOPMENT_NAMES.has(word.toLowerCase()));
  if (namespace !== undefined && named(namespace.split(/[-_.]/))) return `namespace ${namespace}`;
  if (directory !== undefined && named(directory.split('/'))) return `directory ${directory}`;
  const mode = argv.find((word) => DEVELOPMENT_MODE.test(word));
  if (mode !== undefined) return `a server started in its development mode (${mode})`;
  return undefined;
}
