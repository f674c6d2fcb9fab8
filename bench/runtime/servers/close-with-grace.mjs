// close-with-grace 2.5.0: close the server within the common deadline.
import closeWithGrace from 'close-with-grace';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const server = createAppServer();
closeWithGrace({ delay: DEADLINE_MS }, () => new Promise((resolve) => server.close(resolve)));
await listen(server);
