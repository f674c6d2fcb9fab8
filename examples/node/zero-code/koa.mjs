// A Koa app with no lameduck code: run it with `node --import @lameduck/node/register koa.mjs`.
import Koa from 'koa';

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path !== '/slow') return;
  await new Promise((resolve) => setTimeout(resolve, Number(ctx.query.delay ?? 0)));
  ctx.body = 'done';
});
const server = app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
