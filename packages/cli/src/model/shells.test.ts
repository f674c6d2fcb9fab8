import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execsLastCommand, imageShell, scriptCommands, shellOf, withoutQuotes } from './shells.js';
import { npmReachesApp } from './sigterm-path.js';

describe('shells', () => {
  it("names /bin/sh from the image: busybox on Alpine, bash on the Red Hat family, dash on Debian's official images", () => {
    assert.equal(imageShell('node:20-alpine'), 'busybox');
    assert.equal(imageShell('docker.io/library/alpine:3.20'), 'busybox');
    assert.equal(imageShell('python:3.12-alpine3.20'), 'busybox');
    assert.equal(imageShell('registry.access.redhat.com/ubi9/ubi-minimal:9.4'), 'bash');
    assert.equal(imageShell('node:20-slim'), 'dash');
    assert.equal(imageShell('python:3.12'), 'dash');
    assert.equal(imageShell('eclipse-temurin:21-jre'), 'dash');
    assert.equal(imageShell('registry.example.com/shop/web:2'), undefined);
    assert.equal(imageShell(undefined), undefined);
  });

  it('takes a program by its own name before the image', () => {
    assert.equal(shellOf('/bin/bash', 'node:20-alpine'), 'bash');
    assert.equal(shellOf('ash', undefined), 'busybox');
    assert.equal(shellOf('/bin/sh', 'node:20-alpine'), 'busybox');
    assert.equal(shellOf('sh', 'web:1'), undefined);
  });

  it('knows which shell execs which last command', () => {
    assert.equal(execsLastCommand('dash', 'node server.js'), false);
    assert.equal(execsLastCommand('busybox', 'if true; then node server.js; fi'), true);
    assert.equal(execsLastCommand('bash', 'if true; then node server.js; fi'), false);
    assert.equal(execsLastCommand('bash', './migrate && node server.js'), true);
    assert.equal(execsLastCommand('busybox', 'node server.js | tee log'), false);
    assert.equal(execsLastCommand('bash', 'node server.js --sep "a|b"'), true);
  });

  it('splits a script on the separators outside its quotes', () => {
    assert.deepEqual(scriptCommands('cd /app && exec nginx -g "daemon off;"'), [
      'cd /app',
      'exec nginx -g "daemon off;"',
    ]);
    assert.deepEqual(scriptCommands("a; b || c\nd 'x&&y'"), ['a', 'b', 'c', "d 'x&&y'"]);
    assert.equal(withoutQuotes('a "b;c" d').length, 'a "b;c" d'.length);
  });

  it('npm forwards SIGTERM to the app only where the script shell execs it, from npm 7 (Node 16 images) on', () => {
    assert.equal(npmReachesApp('node:22-alpine'), true);
    assert.equal(npmReachesApp('node:alpine'), true);
    assert.equal(npmReachesApp('node:14-alpine'), false);
    assert.equal(npmReachesApp('node:22-slim'), false);
    assert.equal(npmReachesApp('web:1'), false);
  });
});
