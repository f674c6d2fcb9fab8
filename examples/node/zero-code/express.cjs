// The same express app in CommonJS: `node --require @lameduck/node/register express.cjs`.
const express = require('express');

const app = express();
app.get('/slow', (req, res) => {
  setTimeout(() => res.send('done'), Number(req.query.delay ?? 0));
});
const server = app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
