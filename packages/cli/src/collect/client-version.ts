/** The client side of "server and client versions": kubectl's, when it is installed. */
import { spawnSync } from 'node:child_process';

export function kubectlClientVersion(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const result = spawnSync('kubectl', ['version', '--client', '-o', 'json'], {
    encoding: 'utf8',
    timeout: 5000,
    env,
  });
  if (result.status !== 0 || !result.stdout) return undefined;
  try {
    const parsed = JSON.parse(result.stdout) as { clientVersion?: { gitVersion?: string } };
    return parsed.clientVersion?.gitVersion;
  } catch {
    return undefined;
  }
}
