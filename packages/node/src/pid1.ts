/**
 * Will SIGTERM reach this process? The kubelet signals PID 1 of the container only. When PID 1 is
 * npm, yarn or pnpm, or a shell that did not `exec` the app, the signal stops there and the app is
 * SIGKILLed at the end of the grace period. tini, dumb-init and friends forward it.
 */

/** Reads a /proc file; undefined when it does not exist. Injected so tests can fake /proc. */
export type ProcReader = (path: string) => string | undefined;

export interface ProcessFacts {
  readonly pid: number;
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly read: ProcReader;
}

const INITS =
  /^(?:tini|tini-static|dumb-init|catatonit|s6-svscan|s6-supervise|runit|supervisord|docker-init|systemd|init)$/;
const PACKAGE_MANAGERS = /^(?:npm|npx|yarn|yarnpkg|pnpm|pnpx|corepack)$/;
const SHELLS = /^(?:sh|bash|ash|dash|zsh|ksh|busybox)$/;

interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly argv: readonly string[];
}

function readProcess(read: ProcReader, pid: number): ProcessInfo | undefined {
  const stat = read(`/proc/${pid}/stat`);
  const cmdline = read(`/proc/${pid}/cmdline`);
  if (stat === undefined || cmdline === undefined) return undefined;
  // The command in stat is parenthesised and may contain spaces; fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return { pid, ppid: Number.isFinite(ppid) ? ppid : 0, argv: cmdline.split('\0').filter(Boolean) };
}

function baseName(path: string | undefined): string {
  return (path ?? '').split('/').pop() ?? '';
}

const MANAGER_SCRIPT = /(?:^|\/)(npm|npx|yarn|pnpm|pnpx)(?:-cli)?(?:\.c?js)?$/;
const MANAGER_PACKAGE = /\/node_modules\/(npm|yarn|pnpm|corepack)\//;

/** What a process is, from its argv: `node /usr/local/bin/npm start` is npm. */
function identify(argv: readonly string[]): string {
  const [program, script] = argv;
  const name = baseName(program);
  if (/^node(?:js)?$/.test(name) && script) {
    const match = MANAGER_SCRIPT.exec(script) ?? MANAGER_PACKAGE.exec(script);
    if (match?.[1]) return match[1];
  }
  return name;
}

function inContainer(facts: ProcessFacts): boolean {
  if (facts.env.KUBERNETES_SERVICE_HOST) return true;
  if (facts.read('/.dockerenv') !== undefined) return true;
  const cgroup = facts.read('/proc/1/cgroup') ?? '';
  return /docker|kubepods|containerd|crio|libpod/.test(cgroup);
}

/** One warning naming the fix, or undefined when SIGTERM will reach this process. */
export function pid1Warning(facts: ProcessFacts): string | undefined {
  if (facts.platform !== 'linux' || facts.pid === 1 || !inContainer(facts)) return undefined;
  // Walk from our parent up to PID 1: whatever is in between receives the signal first.
  const chain: ProcessInfo[] = [];
  let pid = readProcess(facts.read, facts.pid)?.ppid ?? 0;
  while (pid > 0 && chain.length < 32) {
    const info = readProcess(facts.read, pid);
    if (!info) break;
    chain.push(info);
    if (pid === 1) break;
    pid = info.ppid;
  }
  const init = chain.find((p) => p.pid === 1);
  if (!init) return undefined;
  for (const process of chain) {
    const name = identify(process.argv);
    if (INITS.test(name)) return undefined;
    if (PACKAGE_MANAGERS.test(name)) {
      return `PID 1 chain runs ${name} (pid ${process.pid}): ${name} does not forward SIGTERM, so this app is SIGKILLed at the end of the grace period. Start the app directly: CMD ["node", "server.js"], or put tini in front: ENTRYPOINT ["/usr/bin/tini", "--"]`;
    }
    if (SHELLS.test(name)) {
      return `PID 1 chain runs a shell (${name}, pid ${process.pid}) that did not exec the app: it does not forward SIGTERM, so this app is SIGKILLed at the end of the grace period. Use exec in the script (exec node server.js), the exec form CMD ["node", "server.js"], or tini`;
    }
  }
  return undefined;
}
