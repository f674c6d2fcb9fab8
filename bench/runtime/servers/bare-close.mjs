// Node's own server.close() on SIGTERM, then exit 0: no budget to set (Node docs, http server.close()).
import { createAppServer, listen } from './app.mjs';

const server = createAppServer();
process.on('SIGTERM', () => server.close(() => process.exit(0)));
await listen(server);
