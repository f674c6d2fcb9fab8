// A NestJS app with no lameduck code: run it with `node --import @lameduck/node/register nestjs.mjs`.
// Plain JavaScript, so the decorators are applied as functions.
import 'reflect-metadata';
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
await app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1');
console.log(`listening ${app.getHttpServer().address().port}`);
