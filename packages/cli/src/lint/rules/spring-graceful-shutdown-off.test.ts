import { describe } from 'node:test';
import { appConfigRuleTester } from '../../testing/rule-tester.js';
import { springGracefulShutdownOff } from './spring-graceful-shutdown-off.js';

const file = 'application.yml';
const unset = 'spring:\n  application:\n    name: x\n';

describe('spring-graceful-shutdown-off', () => {
  appConfigRuleTester(springGracefulShutdownOff, {
    valid: [
      { name: 'graceful', file, text: 'server:\n  shutdown: graceful\n', springBootVersion: '3.2.0' },
      { name: 'unset from Spring Boot 3.4 on', file, text: unset, springBootVersion: '3.4.0' },
      { name: 'unset with the version unknown', file, text: unset },
      {
        name: "unset in a profile file beside the module's application.yml: said once, there",
        file: 'application-prod.yml',
        text: unset,
        springBootVersion: '2.6.3',
        speaksForDefaults: false,
      },
      {
        name: "Spring Cloud Kubernetes config, and a ConfigMap of the input sets graceful (spring-petclinic-cloud's petclinic-config)",
        file: 'bootstrap.yml',
        text: unset,
        springBootVersion: '2.6.3',
        externalConfig: 'spring-cloud-starter-kubernetes-client-config',
        configMapShutdown: { where: 'ConfigMap petclinic-config (application.yaml)', value: 'graceful' },
      },
    ],
    invalid: [
      {
        name: 'Spring Cloud Kubernetes config and no ConfigMap in the input that sets it: info, saying so',
        file,
        text: unset,
        springBootVersion: '2.6.3',
        externalConfig: 'spring-cloud-starter-kubernetes-client-config',
        findings: [
          {
            line: 1,
            severity: 'info',
            messageId: 'immediateByDefault',
            message:
              /\(unless spring-cloud-starter-kubernetes-client-config brings server\.shutdown from a ConfigMap/,
          },
        ],
      },
      {
        name: 'server.shutdown immediate, at its line',
        file,
        text: 'server:\n  port: 8080\n  shutdown: immediate\n',
        findings: [{ line: 3, messageId: 'immediate', fix: /^server\.shutdown: graceful$/ }],
      },
      {
        name: 'unset on Spring Boot 3.3',
        file,
        text: unset,
        springBootVersion: '3.3.4',
        findings: [{ line: 1, messageId: 'immediateByDefault', data: { version: '3.3.4' } }],
      },
      {
        name: 'unset, below a licence header: at the first setting, where it would go',
        file: 'application.properties',
        text: '#\n# Copyright 2020 Google LLC\n#\n\nspring.application.name=ledgerwriter\n',
        springBootVersion: '2.3.3',
        findings: [{ line: 5, messageId: 'immediateByDefault', data: { version: '2.3.3' } }],
      },
      {
        name: 'a Spring Cloud module with only bootstrap.yml (spring-petclinic-cloud): unset on 2.6',
        file: 'bootstrap.yml',
        text: 'spring:\n  cloud:\n    config:\n      uri: http://config-server:8888\n',
        springBootVersion: '2.6.3',
        findings: [{ line: 1, messageId: 'immediateByDefault', data: { version: '2.6.3' } }],
      },
      {
        name: 'a web module with no config file at all (GKE java quickstart): on its build, at the version',
        file: 'java/pom.xml',
        text: '<project>\n  <parent>\n    <artifactId>spring-boot-starter-parent</artifactId>\n    <version>2.7.18</version>\n  </parent>\n  <dependency><artifactId>spring-boot-starter-web</artifactId></dependency>\n</project>\n',
        springBootVersion: '2.7.18',
        findings: [
          {
            line: 4,
            messageId: 'noConfigFile',
            data: { version: '2.7.18' },
            fix: /^add src\/main\/resources\/application\.properties with server\.shutdown=graceful$/,
          },
        ],
      },
    ],
  });
});
