// fastify + lameduck: `node fastify.mjs`, then send SIGTERM. PORT picks the port (default 8080).

import { lameduck } from '@lameduck/node';
import Fastify from 'fastify';

const app = Fastify();
app.get('/healthz/ready', async (_request, reply) => {
  const report = await ld.readinessReport();
  return reply.code(report.status).send(report.body);
});
app.get('/healthz/live', async (_request, reply) => {
  const report = ld.livenessReport();
  return reply.code(report.status).send(report.body);
});
app.get('/slow', async (request) => {
  await new Promise((resolve) => setTimeout(resolve, Number(request.query.delay ?? 0)));
  return 'done';
});

await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1' });
console.log(`listening ${app.server.address().port}`);
// lameduck drains fastify's underlying server; fastify's onClose hooks run as a cleanup hook.
const ld = lameduck({ servers: [app.server] });
ld.onShutdown('fastify', () => app.close());
