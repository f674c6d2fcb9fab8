import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  APP_CONFIG_NAME,
  appSettings,
  isAppConfig,
  jibPlugin,
  primarySpringConfig,
  springBootVersion,
  springDurationSeconds,
  springExternalConfig,
} from './settings.js';

describe('application server settings', () => {
  it('reads Spring Boot durations: plain numbers are milliseconds', () => {
    assert.deepEqual(['30s', '1m', '45000', 'PT40S', '500ms', 'soon'].map(springDurationSeconds), [
      30,
      60,
      45,
      40,
      0.5,
      undefined,
    ]);
  });

  it('reads application.yml, later profile documents winning, with lines', () => {
    const text =
      'server:\n  shutdown: graceful\nspring:\n  lifecycle:\n    timeout-per-shutdown-phase: 30s\n---\nspring:\n  config.activate.on-profile: prod\n  lifecycle:\n    timeout-per-shutdown-phase: 50s\n';
    assert.deepEqual(appSettings('application.yml', text), {
      server: 'spring',
      shutdown: { value: 'graceful', line: 2 },
      drainSeconds: { value: 50, line: 10 },
    });
  });

  it('reads application.properties', () => {
    assert.deepEqual(
      appSettings(
        'application.properties',
        '# shutdown\nserver.shutdown=immediate\nspring.lifecycle.timeout-per-shutdown-phase: 20s\n',
      ),
      {
        server: 'spring',
        shutdown: { value: 'immediate', line: 2 },
        drainSeconds: { value: 20, line: 3 },
      },
    );
  });

  it('reads gunicorn graceful_timeout', () => {
    assert.deepEqual(
      appSettings('gunicorn.conf.py', 'bind = "0.0.0.0:8000"\ngraceful_timeout = 45  # seconds\n'),
      {
        server: 'gunicorn',
        drainSeconds: { value: 45, line: 2 },
      },
    );
  });

  it('finds the Spring Boot version in Maven and Gradle builds', () => {
    assert.equal(
      springBootVersion(
        '<parent>\n  <groupId>org.springframework.boot</groupId>\n  <artifactId>spring-boot-starter-parent</artifactId>\n  <version>3.3.4</version>\n</parent>',
      ),
      '3.3.4',
    );
    assert.equal(springBootVersion("plugins {\n  id 'org.springframework.boot' version '3.4.1'\n}"), '3.4.1');
    assert.equal(springBootVersion('plugins { id("org.springframework.boot") version "3.2.0" }'), '3.2.0');
    assert.equal(
      springBootVersion(
        '<artifactId>spring-boot-starter-parent</artifactId>\n  <version>2.3.3.RELEASE</version>',
      ),
      '2.3.3',
      'the release qualifier of Boot 2 is no part of the number',
    );
  });
  it('reads a Spring Boot web module from its Maven or Gradle build, at the line naming the version', () => {
    const pom = (packaging = '') =>
      `<project>\n  <parent>\n    <groupId>org.springframework.boot</groupId>\n    <artifactId>spring-boot-starter-parent</artifactId>\n    <version>2.7.18</version>\n  </parent>${packaging}\n  <dependencies>\n    <dependency>\n      <artifactId>spring-boot-starter-web</artifactId>\n    </dependency>\n  </dependencies>\n</project>\n`;
    assert.ok(APP_CONFIG_NAME.test('pom.xml') && APP_CONFIG_NAME.test('build.gradle.kts'));
    assert.ok(isAppConfig('svc/pom.xml', pom()));
    assert.deepEqual(appSettings('svc/pom.xml', pom()), { server: 'spring', buildFile: { line: 5 } });
    assert.equal(isAppConfig('pom.xml', pom('\n  <packaging>pom</packaging>')), false, 'an aggregator');
    assert.equal(
      isAppConfig('pom.xml', pom().replace('starter-web', 'starter-batch')),
      false,
      'no web server',
    );
    const gradle =
      "dependencies {\n  implementation 'org.springframework.boot:spring-boot-starter-webflux'\n}\n";
    assert.ok(isAppConfig('api/build.gradle', gradle));
    assert.deepEqual(appSettings('api/build.gradle', gradle), { server: 'spring', buildFile: { line: 2 } });
    assert.equal(isAppConfig('tox.ini', '[tox]\nenvlist = py3\n'), false);
    assert.ok(isAppConfig('uwsgi.ini', '[uwsgi]\nmodule = app\n'));
  });
  it('finds the Jib plugin in Maven and Gradle builds, with the image it pushes when written out', () => {
    assert.deepEqual(
      jibPlugin(
        '<plugin><groupId>com.google.cloud.tools</groupId><artifactId>jib-maven-plugin</artifactId><configuration><to><image>gcr.io/acme/cart</image></to></configuration></plugin>',
      ),
      { plugin: 'jib-maven-plugin', image: 'gcr.io/acme/cart' },
    );
    assert.deepEqual(
      // A Maven property in the image: not a literal name.
      jibPlugin(`<artifactId>jib-maven-plugin</artifactId><to><image>\${docker.repo}/cart</image></to>`),
      { plugin: 'jib-maven-plugin' },
    );
    assert.deepEqual(
      jibPlugin(
        "plugins {\n  id 'com.google.cloud.tools.jib' version '3.4.3'\n}\njib {\n  to {\n    image = 'acme/orders'\n  }\n}\n",
      ),
      {
        plugin: 'com.google.cloud.tools.jib',
        image: 'acme/orders',
      },
    );
    assert.deepEqual(
      jibPlugin(
        'plugins { id("com.google.cloud.tools.jib") version "3.4.3" }\njib.to.image = "acme/orders"\n',
      ),
      {
        plugin: 'com.google.cloud.tools.jib',
        image: 'acme/orders',
      },
    );
    assert.equal(jibPlugin('<artifactId>spring-boot-maven-plugin</artifactId>'), undefined);
  });

  it("picks the config that speaks for a Spring module's defaults: application.yml, else bootstrap.yml", () => {
    assert.equal(
      primarySpringConfig(['m/application-prod.yml', 'm/bootstrap.yml', 'm/application.yml']),
      'm/application.yml',
    );
    assert.equal(primarySpringConfig(['m/application-dev.yml', 'm/bootstrap.yml']), 'm/bootstrap.yml');
    assert.equal(
      primarySpringConfig(['m/application-prod.yml', 'm/application-dev.yml']),
      'm/application-dev.yml',
    );
    assert.equal(APP_CONFIG_NAME.test('bootstrap.yml'), true);
    assert.equal(APP_CONFIG_NAME.test('bootstrap-kubernetes.properties'), true);
  });
});

describe('settings from elsewhere', () => {
  it('names the Spring Cloud dependency that reads a ConfigMap or a config server, and nothing else', () => {
    const pom = (artifact: string) => `<dependency><artifactId>${artifact}</artifactId></dependency>`;
    assert.equal(
      springExternalConfig(pom('spring-cloud-starter-kubernetes-client-config')),
      'spring-cloud-starter-kubernetes-client-config',
    );
    assert.equal(
      springExternalConfig(pom('spring-cloud-starter-kubernetes-fabric8-config')),
      'spring-cloud-starter-kubernetes-fabric8-config',
    );
    assert.equal(springExternalConfig(pom('spring-cloud-starter-config')), 'spring-cloud-starter-config');
    assert.equal(springExternalConfig(pom('spring-cloud-starter-kubernetes-client-loadbalancer')), undefined);
    assert.equal(springExternalConfig(pom('spring-boot-starter-web')), undefined);
  });
});
