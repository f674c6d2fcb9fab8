// close-with-grace 2.5.0: `delay` = the 10 s budget (README, opts: "the numbers of milliseconds before abruptly close the process", default 10000).
import closeWithGrace from 'close-with-grace';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const server = createAppServer();
closeWithGrace({ delay: DEADLINE_MS }, () => new Promise((resolve) => server.close(resolve)));
await listen(server);
