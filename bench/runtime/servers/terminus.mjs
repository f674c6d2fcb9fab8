// @godaddy/terminus 4.12.1: `timeout` = the 10 s budget (README options, default 1000) and `useExit0` (README, Kubernetes section); no `beforeShutdown` delay, as the harness reroutes new connections at SIGTERM, as preStop would have.
import { createTerminus } from '@godaddy/terminus';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const server = createAppServer();
createTerminus(server, {
  signals: ['SIGTERM'],
  timeout: DEADLINE_MS,
  useExit0: true,
  healthChecks: { '/healthz': async () => {} },
});
await listen(server);
