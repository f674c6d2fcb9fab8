import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';

const name = process.argv[2];
const child = spawn(process.execPath, [`bench/runtime/servers/${name}.mjs`], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [line] = await once(child.stdout, 'data');
const port = Number(/listening (\d+)/.exec(String(line))[1]);
const sockets = [];
for (let b = 0; b < 10000; b += 500) {
  const ps = [];
  for (let i = 0; i < 500; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    sockets.push(s);
    ps.push(
      once(s, 'connect')
        .then(async () => {
          s.write('GET /work HTTP/1.1\r\nHost: x\r\n\r\n');
          let n = 0;
          while (n < 1024) {
            const [c] = await once(s, 'data');
            n += c.length;
          }
        })
        .catch(() => {}),
    );
  }
  await Promise.all(ps);
}
await new Promise((r) => setTimeout(r, 300));
const t = performance.now();
child.kill('SIGTERM');
await once(child, 'exit');
console.log(name, 'SIGTERM to exit', (performance.now() - t).toFixed(0), 'ms');
process.exit(0);
