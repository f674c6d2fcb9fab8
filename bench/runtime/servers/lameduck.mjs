// lameduck: `timeoutMs` = the 10 s budget (packages/node/README.md, Options); idleGraceMs stays at its 1 s default, whose cost the idle tests show.
import { lameduck } from '@lameduck/node';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const server = createAppServer();
lameduck({ servers: [server], timeoutMs: DEADLINE_MS, logger: 'silent', pid1Check: false });
await listen(server);
