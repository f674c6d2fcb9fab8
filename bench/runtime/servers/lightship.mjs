// lightship 7.2.0 (9.x needs Node 22; 7.3.0 was published without dist/), per its README (Timeouts, Usage):
// - shutdownHandlerTimeout (default 5000) and gracefulShutdownTimeout (30000, must not be less) = the 10 s budget;
// - shutdownDelay: 0, as the harness reroutes new connections at SIGTERM, as preStop would have;
// - detectKubernetes: false, else outside a cluster it runs in local mode and installs no signal handler;
// - the handler awaits server.close(), so the budget applies (the README's handlers return at once,
//   after which lightship force-exits with 1 when the process has not exited 1 s later).
import lightshipPackage from 'lightship';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const { createLightship } = lightshipPackage;
const server = createAppServer();
const lightship = await createLightship({
  detectKubernetes: false,
  port: 0,
  shutdownDelay: 0,
  shutdownHandlerTimeout: DEADLINE_MS,
  gracefulShutdownTimeout: DEADLINE_MS,
});
lightship.registerShutdownHandler(() => new Promise((resolve) => server.close(resolve)));
await listen(server);
lightship.signalReady();
