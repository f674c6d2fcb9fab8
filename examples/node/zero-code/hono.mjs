// A Hono app on @hono/node-server with no lameduck code:
// run it with `node --import @lameduck/node/register hono.mjs`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/slow', async (c) => {
  await new Promise((resolve) => setTimeout(resolve, Number(c.req.query('delay') ?? 0)));
  return c.text('done');
});
serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 8080), hostname: process.env.HOST ?? '127.0.0.1' },
  (info) => console.log(`listening ${info.port}`),
);
