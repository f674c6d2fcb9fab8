// lameduck with the common deadline.
import { lameduck } from 'lameduck';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const server = createAppServer();
lameduck({ servers: [server], timeoutMs: DEADLINE_MS, logger: 'silent', pid1Check: false });
await listen(server);
