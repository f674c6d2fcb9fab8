// stoppable 1.1.0: grace = the 10 s budget (readme, Usage: "grace: Milliseconds to wait before force-closing connections").
import stoppable from 'stoppable';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const server = stoppable(createAppServer(), DEADLINE_MS);
process.on('SIGTERM', () => server.stop(() => process.exit(0)));
await listen(server);
