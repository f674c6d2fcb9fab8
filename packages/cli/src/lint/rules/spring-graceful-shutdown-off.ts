import { firstSettingLine } from '../../app-config/settings.js';
import type { AppConfigRule } from '../app-config-rule.js';
import { DOCS_BASE } from '../rule.js';

/** server.shutdown defaults to graceful from Spring Boot 3.4.0 (spring-projects/spring-boot#37495). */
function gracefulByDefault(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 3 || (major === 3 && minor >= 4);
}

export const springGracefulShutdownOff: AppConfigRule = {
  id: 'spring-graceful-shutdown-off',
  severity: 'error',
  description:
    'Spring Boot shuts down immediately: server.shutdown=immediate, or unset before Spring Boot 3.4.',
  docs: `${DOCS_BASE}#spring-graceful-shutdown-off`,
  messages: {
    immediate: 'server.shutdown is immediate: {consequence}',
    immediateByDefault:
      'Spring Boot {version} defaults server.shutdown to immediate (graceful is the default from 3.4){unless}: {consequence}',
    noConfigFile:
      'this Spring Boot {version} web module has no application.yml or application.properties, so server.shutdown is its default, immediate (graceful is the default from 3.4){unless}: {consequence}',
  },
  check({ settings, springBootVersion, speaksForDefaults, text, externalConfig, configMapShutdown }) {
    if (settings.server !== 'spring') return [];
    const consequence = 'on SIGTERM the web server stops at once and requests in flight are cut';
    if (settings.shutdown?.value === 'immediate') {
      return [
        {
          line: settings.shutdown.line,
          messageId: 'immediate',
          data: { consequence },
          fix: 'server.shutdown: graceful',
        },
      ];
    }
    if (
      speaksForDefaults &&
      settings.shutdown === undefined &&
      springBootVersion !== undefined &&
      !gracefulByDefault(springBootVersion)
    ) {
      // Settings from a ConfigMap or a config server override the files: one in the input that
      // sets server.shutdown decides; without one, the default is only likely.
      if (externalConfig && configMapShutdown?.value === 'graceful') return [];
      const elsewhere = externalConfig
        ? {
            severity: 'info' as const,
            unless: ` (unless ${externalConfig} brings server.shutdown from a ConfigMap or config server the input does not show)`,
          }
        : { unless: '' };
      const { buildFile } = settings;
      const found = [
        buildFile
          ? {
              line: buildFile.line,
              messageId: 'noConfigFile',
              data: { version: springBootVersion, consequence },
              fix: 'add src/main/resources/application.properties with server.shutdown=graceful',
            }
          : {
              line: firstSettingLine(text),
              messageId: 'immediateByDefault',
              data: { version: springBootVersion, consequence },
              fix: 'server.shutdown: graceful',
            },
      ];
      return found.map(({ data, ...finding }) => ({
        ...finding,
        ...(elsewhere.severity ? { severity: elsewhere.severity } : {}),
        data: { ...data, unless: elsewhere.unless },
      }));
    }
    return [];
  },
};
