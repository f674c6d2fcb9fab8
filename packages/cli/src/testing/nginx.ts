/**
 * Real nginx (Debian's /usr/sbin/nginx) as a reverse proxy on 127.0.0.1, for fidelity checks of the
 * lab's ingress: a config and a prefix in a temporary directory, no daemon, no master process, and
 * killed on close.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../lab/cluster.js';
import { repoRoot } from './helpers.js';

const NGINX = '/usr/sbin/nginx';

/**
 * Why real nginx cannot run here, or undefined once it can: as root, scripts/apt-install.sh installs
 * it when missing.
 */
export function nginxUnavailable(): string | undefined {
  if (spawnSync(NGINX, ['-v']).status === 0) return undefined;
  if (process.getuid?.() !== 0)
    return `${NGINX} is absent and installing it needs root: apt-get install -y nginx`;
  const install = spawnSync(`${repoRoot}scripts/apt-install.sh`, ['nginx:nginx'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return spawnSync(NGINX, ['-v']).status === 0 ? undefined : `installing nginx failed: ${install.stderr}`;
}

export interface NginxFronts {
  /** One listening port per front, each proxying through an upstream block of its own. */
  readonly ports: readonly number[];
  close(): Promise<void>;
}

/**
 * nginx with `fronts` servers, each with its own upstream block (so its own keep-alive cache) in
 * front of 127.0.0.1:upstreamPort: `keepalive 16; keepalive_timeout <n>s`, HTTP/1.1 with the
 * Connection header cleared, as ingress-nginx configures upstream keep-alive.
 */
export async function startNginx(options: {
  readonly upstreamPort: number;
  readonly fronts: number;
  readonly keepaliveTimeoutSeconds: number;
}): Promise<NginxFronts> {
  const dir = await mkdtemp(join(tmpdir(), 'lameduck-nginx-'));
  const ports: number[] = [];
  for (let i = 0; i < options.fronts; i++) ports.push(await freePort());
  const blocks = ports.map(
    (port, i) => `
  upstream front${i} {
    server 127.0.0.1:${options.upstreamPort};
    keepalive 16;
    keepalive_timeout ${options.keepaliveTimeoutSeconds}s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://front${i};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }`,
  );
  const config = `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${blocks.join('\n')}
}
`;
  await writeFile(join(dir, 'nginx.conf'), config);
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) await waitForListener(port, child);
  } catch (error) {
    const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
    await close();
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  return { ports, close };
}

async function waitForListener(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen on ${port}`);
}

/** Whether something accepts connections on 127.0.0.1:port. */
export async function accepts(port: number): Promise<boolean> {
  const socket = net.connect(port, '127.0.0.1');
  // once() rejects on 'error': refused.
  const connected = await once(socket, 'connect').then(
    () => true,
    () => false,
  );
  socket.destroy();
  return connected;
}
