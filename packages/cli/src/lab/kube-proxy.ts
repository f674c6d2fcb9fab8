/**
 * kube-proxy's data plane for one node, in user space: each new TCP connection goes to one random
 * routable endpoint of this node's view (iptables `statistic --mode random`), and stays there
 * (conntrack); nothing is retried. A backend that refuses makes the client's connection fail with a
 * reset; the route log records it as the refusal the client would see through real DNAT.
 */
import net from 'node:net';
import type { RouteEntry } from '../recording/records.js';
import type { EndpointView } from './propagator.js';

export class KubeProxyNode {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly view: EndpointView,
    private readonly now: () => number,
    private readonly routes: RouteEntry[],
    private readonly random: () => number,
  ) {
    this.server = net.createServer({ pauseOnConnect: true, noDelay: true }, (client) => this.route(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private route(client: net.Socket): void {
    const clientPort = client.remotePort ?? 0;
    const candidates = this.view.routable();
    const track = (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    };
    track(client);
    let backend: net.Socket | undefined;
    client.on('error', () => backend?.destroy());
    if (candidates.length === 0) {
      // A Service without endpoints gets an iptables REJECT rule: the connection is refused.
      this.routes.push({
        at: this.now(),
        clientPort,
        node: this.view.name,
        pod: undefined,
        outcome: 'no-endpoints',
      });
      resetFlow(client);
      return;
    }
    const endpoint = candidates[Math.floor(this.random() * candidates.length)] ?? candidates[0];
    if (!endpoint) return;
    const entry = { at: this.now(), clientPort, node: this.view.name, pod: endpoint.pod };
    let connected = false;
    const upstream = net.connect({ host: endpoint.host, port: endpoint.port, noDelay: true });
    backend = upstream;
    track(upstream);
    upstream.once('connect', () => {
      connected = true;
      this.routes.push({ ...entry, outcome: 'connected' });
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (!connected) this.routes.push({ ...entry, outcome: 'refused' });
      // The pod reset the flow (or was never there): the client sees the same.
      resetFlow(client);
    });
  }
}

/**
 * Resets the client's connection, as the pod's reset reaches a client through real DNAT; but only
 * closes it while its own FIN is still going out (upstream.pipe(client) ended it when the pod closed
 * first). libuv refuses to reset a socket whose shutdown is in flight (UV_EINVAL), and Node then
 * counts the handle as closing without ever closing it: the 'close' never comes, and at exit the
 * process spins at 100% CPU forever in its handle clean-up, waiting for that handle.
 */
export function resetFlow(client: net.Socket): void {
  if (client.destroyed) return;
  if (client.writableEnded && !client.writableFinished) client.destroy();
  else client.resetAndDestroy();
}
