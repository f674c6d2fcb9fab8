import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appSettings } from '../../app-config/settings.js';
import { springGracefulShutdownOff } from './spring-graceful-shutdown-off.js';

const check = (text: string, springBootVersion?: string) =>
  springGracefulShutdownOff.check({
    file: 'application.yml',
    text,
    settings: appSettings('application.yml', text),
    ...(springBootVersion ? { springBootVersion } : {}),
    containers: [],
  });

describe('spring-graceful-shutdown-off', () => {
  it('valid: graceful, or unset from Spring Boot 3.4 on, or unset with the version unknown', () => {
    assert.deepEqual(check('server:\n  shutdown: graceful\n', '3.2.0'), []);
    assert.deepEqual(check('spring:\n  application:\n    name: x\n', '3.4.0'), []);
    assert.deepEqual(check('spring:\n  application:\n    name: x\n'), []);
  });

  it('invalid: server.shutdown immediate, at its line', () => {
    assert.deepEqual(
      check('server:\n  port: 8080\n  shutdown: immediate\n').map((f) => [f.line, f.fix]),
      [[3, 'server.shutdown: graceful']],
    );
  });

  it('invalid: unset on Spring Boot 3.3', () => {
    const [finding] = check('spring:\n  application:\n    name: x\n', '3.3.4');
    assert.match(finding?.message ?? '', /Spring Boot 3\.3\.4 defaults server\.shutdown to immediate/);
  });
});
