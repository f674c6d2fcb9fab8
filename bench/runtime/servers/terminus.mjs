// @godaddy/terminus 4.12.1 with its timeout raised to the common deadline (its default is 1 s).
import { createTerminus } from '@godaddy/terminus';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const server = createAppServer();
createTerminus(server, {
  signals: ['SIGTERM'],
  timeout: DEADLINE_MS,
  healthChecks: { '/healthz': async () => {} },
});
await listen(server);
