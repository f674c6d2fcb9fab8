// NestJS + lameduck: `node nestjs.mjs`, then send SIGTERM. PORT picks the port (default 8080).
// Plain JavaScript, so the decorators are applied as functions.
// Do not call app.enableShutdownHooks(): Nest would re-send the signal to itself, which a
// Node PID 1 ignores. lameduck handles the signal and runs Nest's shutdown hooks via app.close().
import 'reflect-metadata';
import { lameduck } from '@lameduck/node';
import { Controller, Get, Module, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

class SlowController {
  async slow(delay) {
    await new Promise((resolve) => setTimeout(resolve, Number(delay ?? 0)));
    return 'done';
  }
}
Query('delay')(SlowController.prototype, 'slow', 0);
Get('slow')(
  SlowController.prototype,
  'slow',
  Object.getOwnPropertyDescriptor(SlowController.prototype, 'slow'),
);
Controller()(SlowController);

class AppModule {}
Module({ controllers: [SlowController] })(AppModule);

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
const http = app.getHttpAdapter().getInstance();
http.get('/healthz/ready', (req, res) => ld.readiness(req, res));
http.get('/healthz/live', (req, res) => ld.liveness(req, res));
await app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1');
console.log(`listening ${app.getHttpServer().address().port}`);

const ld = lameduck({ servers: [app.getHttpServer()] });
// onModuleDestroy, beforeApplicationShutdown and onApplicationShutdown run after the drain.
ld.onShutdown('nest', () => app.close());
