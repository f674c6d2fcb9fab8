/**
 * Whether a workload is written for an environment no user depends on, by the names teams give
 * such environments: its namespace (`shop-dev`) or the directory it comes from (`overlays/dev`,
 * `deploy/kind`). A single replica there is a choice, not an outage waiting to happen.
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

/** The namespace or directory that names a development environment, said as it should be shown; else undefined. */
export function developmentEnvironment(
  namespace: string | undefined,
  directory: string | undefined,
): string | undefined {
  const named = (words: readonly string[]) => words.some((word) => DEVELOPMENT_NAMES.has(word.toLowerCase()));
  if (namespace !== undefined && named(namespace.split(/[-_.]/))) return `namespace ${namespace}`;
  if (directory !== undefined && named(directory.split('/'))) return `directory ${directory}`;
  return undefined;
}
