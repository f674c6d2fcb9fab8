// express + lameduck: `node express.mjs`, then send SIGTERM. PORT picks the port (default 8080).

import { lameduck } from '@lameduck/node';
import express from 'express';

const app = express();
app.get('/healthz/ready', (req, res) => ld.readiness(req, res));
app.get('/healthz/live', (req, res) => ld.liveness(req, res));
app.get('/slow', (req, res) => {
  setTimeout(() => res.send('done'), Number(req.query.delay ?? 0));
});

const server = app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
// Deadline from TERMINATION_GRACE_PERIOD_SECONDS and PRESTOP_SECONDS when the manifest sets them.
const ld = lameduck({ servers: [server] });
ld.onShutdown('database', async () => {
  // e.g. await pool.end();
});
