// A fastify app with no lameduck code: run it with `node --import @lameduck/node/register fastify.mjs`.
import Fastify from 'fastify';

const app = Fastify();
app.get('/slow', async (request) => {
  await new Promise((resolve) => setTimeout(resolve, Number(request.query.delay ?? 0)));
  return 'done';
});
await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1' });
console.log(`listening ${app.server.address().port}`);
