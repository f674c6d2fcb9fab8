// http-terminator 3.2.0: `gracefulTerminationTimeout` = the 10 s budget (README, API; it says default 5000, the code has 1000).
import { createHttpTerminator } from 'http-terminator';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const server = createAppServer();
const terminator = createHttpTerminator({ server, gracefulTerminationTimeout: DEADLINE_MS });
process.on('SIGTERM', async () => {
  await terminator.terminate();
  process.exit(0);
});
await listen(server);
