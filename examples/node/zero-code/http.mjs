// A plain node:http app with no lameduck code, using the ESM named import that a patch of the
// module's exports could not reach: run it with `node --import @lameduck/node/register http.mjs`.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const delay = Number(new URL(req.url, 'http://x').searchParams.get('delay') ?? 0);
  setTimeout(() => res.end('done'), delay);
});
server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
