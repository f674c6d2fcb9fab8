// The guide's Node.js snippet (shared/seed), as written there: it takes no budget, as it destroys every socket at once (its 25 s timer is a fallback).
import { createAppServer, listen } from './app.mjs';

const server = createAppServer();
let isShuttingDown = false;
const connections = new Set();
server.on('connection', (socket) => {
  connections.add(socket);
  socket.on('close', () => connections.delete(socket));
});
function gracefulShutdown() {
  if (isShuttingDown) return;
  isShuttingDown = true;
  server.close(() => process.exit(0));
  for (const socket of connections) socket.destroy();
  setTimeout(() => process.exit(1), 25000);
}
process.on('SIGTERM', () => gracefulShutdown('SIGTERM'));
await listen(server);
