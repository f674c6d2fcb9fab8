// An express app with no lameduck code: run it with `node --import @lameduck/node/register express.mjs`.
import express from 'express';

const app = express();
app.get('/slow', (req, res) => {
  setTimeout(() => res.send('done'), Number(req.query.delay ?? 0));
});
const server = app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
