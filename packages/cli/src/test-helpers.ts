/** Shared by the CLI's tests: paths, fixtures and an in-process run of the command line. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from './main.js';

/** packages/cli */
export const cliRoot = fileURLToPath(new URL('../', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The committed launcher that npm links as `lameduck` and `kubectl-lameduck`. */
export const binPath = fileURLToPath(new URL('../bin/lameduck.js', import.meta.url));

export function fixture(name: string): string {
  return `${cliRoot}test/fixtures/${name}`;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[], stdin = ''): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { NO_COLOR: '1' },
    readStdin: async () => stdin,
  });
  return { code, stdout, stderr };
}

/** The real binary in a child process, for stdin, argv[1] and exit-code behaviour. */
export function runBin(
  args: readonly string[],
  options: { stdin?: string; cwd?: string; argv0?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.argv0 ?? binPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
