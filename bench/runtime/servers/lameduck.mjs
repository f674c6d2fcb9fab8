// lameduck with the common deadline.
import { lameduck } from '@lameduck/node';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const server = createAppServer();
const ld = lameduck({ servers: [server], timeoutMs: DEADLINE_MS, logger: 'silent', pid1Check: false });
// Tell the harness how long the drain took inside the process, from the signal to exit().
ld.on('exit', (event) => process.stdout.write(`exit-ms ${event.ms}\n`));
await listen(server);
