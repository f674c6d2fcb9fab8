// http-terminator 3.2.0 with the common deadline (its default is 1 s in code).
import { createHttpTerminator } from 'http-terminator';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const server = createAppServer();
const terminator = createHttpTerminator({ server, gracefulTerminationTimeout: DEADLINE_MS });
process.on('SIGTERM', async () => {
  await terminator.terminate();
  process.exit(0);
});
await listen(server);
