// stoppable 1.1.0: stop() with a grace period, as its readme shows.
import stoppable from 'stoppable';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const server = stoppable(createAppServer(), DEADLINE_MS);
process.on('SIGTERM', () => server.stop(() => process.exit(0)));
await listen(server);
