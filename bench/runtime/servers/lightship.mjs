// lightship 7.2.0 (9.x needs Node 22; 7.3.0 was published without dist/): no in-app delay (preStop does that), the README's server.close() handler.
import lightshipPackage from 'lightship';
import { createAppServer, DEADLINE_MS, listen } from './app.mjs';

const { createLightship } = lightshipPackage;
const server = createAppServer();
const lightship = await createLightship({
  detectKubernetes: false,
  port: 0,
  shutdownDelay: 0,
  gracefulShutdownTimeout: DEADLINE_MS,
});
lightship.registerShutdownHandler(() => new Promise((resolve) => server.close(resolve)));
await listen(server);
lightship.signalReady();
