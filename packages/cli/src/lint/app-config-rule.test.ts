import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AppConfigSource, appSettings } from '../app-config/settings.js';
import { dockerfileFacts } from '../dockerfile/facts.js';
import { objectsOf } from '../manifests/objects.js';
import { parseSource } from '../manifests/parse.js';
import type { JsonObject } from '../model/json.js';
import { DEFAULT_KUBE_VERSION } from '../model/kube-version.js';
import { appConfigContexts } from './app-config-rule.js';
import { workloadContexts } from './context.js';
import { lintAppConfigs } from './engine.js';
import { imageLinker, skaffoldJibModules } from './images.js';
import { appDrainExceedsBudget } from './rules/app-drain-exceeds-budget.js';
import { springGracefulShutdownOff } from './rules/spring-graceful-shutdown-off.js';

/** A Deployment of image `api:1` with a 5 s grace; `container` adds YAML lines to its container. */
const manifest = (container = '') =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: 5\n      containers:\n        - name: api\n          image: registry.example.com/api:1\n${container}`;

function lint(
  yaml: string,
  dockerfile: string,
  configs: Record<string, string> = {},
  files = { manifest: 'k8s/api.yaml', dockerfile: 'api/Dockerfile' },
) {
  const { parsed } = parseSource({ name: files.manifest, text: yaml });
  if (!parsed) assert.fail('fixture did not parse');
  const { objects } = objectsOf(parsed);
  const facts = dockerfileFacts(files.dockerfile, dockerfile) ?? assert.fail('no FROM');
  const options = { kubeVersion: DEFAULT_KUBE_VERSION, profile: 'medium' as const, bufferSeconds: 10 };
  const workloads = workloadContexts(objects, options, imageLinker(objects, [{ facts }], new Map()));
  const sources = Object.entries(configs).map(([file, text]) => ({
    file,
    text,
    settings: appSettings(file, text),
  }));
  return lintAppConfigs(appConfigContexts(sources, [facts], workloads), [appDrainExceedsBudget]).map(
    (f) => `${f.file}:${f.line}: ${f.message}`,
  );
}

describe('gunicorn settings on the command line against the pod budget', () => {
  it("a container's args: --graceful-timeout 30 against a 5 s grace, at the args line", () => {
    const [finding, ...rest] = lint(
      manifest('          args: ["gunicorn", "--graceful-timeout", "30", "--timeout", "120", "app:app"]\n'),
      'FROM python:3.12\nCMD ["python", "app.py"]\n',
    );
    assert.deepEqual(rest, []);
    assert.match(
      finding ?? '',
      /^k8s\/api\.yaml:11: gunicorn --graceful-timeout lets the app drain for up to 30s, but in Deployment api container api SIGKILL comes 5s after SIGTERM \(grace 5s - preStop 0s\): requests still running are cut, and --timeout 120s lets one request run that long$/,
    );
  });

  it("the Dockerfile's CMD with gunicorn's 30 s default, at the CMD line", () => {
    assert.deepEqual(lint(manifest(), 'FROM python:3.12\nWORKDIR /app\nCMD gunicorn -w 4 app:app\n'), [
      'api/Dockerfile:3: gunicorn --graceful-timeout (default) lets the app drain for up to 30s, but in Deployment api container api SIGKILL comes 5s after SIGTERM (grace 5s - preStop 0s): requests still running are cut',
    ]);
  });

  it('the same Deployment read twice (two overlays of one base) gives one finding at the CMD line, not two', () => {
    const twice = `${manifest()}---\n${manifest()}`;
    assert.equal(lint(twice, 'FROM python:3.12\nWORKDIR /app\nCMD gunicorn -w 4 app:app\n').length, 1);
  });

  it('a timeout that fits, or one left to a config file (-c or gunicorn.conf.py), is not the default', () => {
    assert.deepEqual(
      lint(
        manifest('          args: ["gunicorn", "--graceful-timeout=3", "app:app"]\n'),
        'FROM python:3.12\n',
      ),
      [],
    );
    assert.deepEqual(
      lint(manifest(), 'FROM python:3.12\nCMD ["gunicorn", "-c", "conf.py", "app:app"]\n'),
      [],
    );
    assert.deepEqual(
      lint(manifest(), 'FROM python:3.12\nCMD ["gunicorn", "app:app"]\n', {
        'api/gunicorn.conf.py': 'graceful_timeout = 3\n',
      }),
      [],
    );
  });

  it('the command line wins over gunicorn.conf.py', () => {
    assert.deepEqual(
      lint(manifest(), 'FROM python:3.12\nCMD ["gunicorn", "--graceful-timeout", "3", "app:app"]\n', {
        'api/gunicorn.conf.py': 'graceful_timeout = 90\n',
      }),
      [],
    );
  });
});

describe('a one-service repository', () => {
  const oneService = { manifest: 'svc/deploy/k8s.yaml', dockerfile: 'svc/Dockerfile' };
  const config = { 'svc/gunicorn.conf.py': 'graceful_timeout = 90\n' };
  const backend = (extra = '') =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: backend}\nspec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: 45\n      containers:\n        - name: web\n          image: ghcr.io/acme/shop-backend:3\n${extra}`;

  it('links the only Dockerfile to the only workload when no name matches, and says so', () => {
    assert.deepEqual(lint(backend(), 'FROM python:3.12\nCMD ["gunicorn", "app:app"]\n', config, oneService), [
      'svc/gunicorn.conf.py:1: graceful_timeout lets the app drain for up to 90s, but in Deployment backend container web (linked because it is the only Dockerfile and the only workload in svc) SIGKILL comes 45s after SIGTERM (grace 45s - preStop 0s): requests still running are cut',
    ]);
  });

  it('does not link when the pairing is ambiguous: a second workload, or a second container', () => {
    const twoWorkloads = `${backend()}---\n${backend().replace('name: backend', 'name: worker')}`;
    assert.deepEqual(lint(twoWorkloads, 'FROM python:3.12\n', config, oneService), []);
    const twoContainers = backend('        - name: proxy\n          image: envoyproxy/envoy:v1.31\n');
    assert.deepEqual(lint(twoContainers, 'FROM python:3.12\n', config, oneService), []);
  });
});

describe('Spring Boot built with Jib', () => {
  const config = 'src/main/resources/application.properties';
  const springConfig = (module: string, extra: Partial<AppConfigSource> = {}): AppConfigSource => {
    const text = 'spring.lifecycle.timeout-per-shutdown-phase=60s\n';
    return { file: `${module}/${config}`, text, settings: appSettings(config, text), ...extra };
  };
  const deployment = (image: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cart}\nspec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: 45\n      containers:\n        - {name: cart, image: ${image}}\n`;
  const lintJib = (yaml: string, source: AppConfigSource) => {
    const { parsed } = parseSource({ name: 'skaffold.yaml', text: yaml });
    if (!parsed) assert.fail('fixture did not parse');
    const { objects } = objectsOf(parsed);
    const options = { kubeVersion: DEFAULT_KUBE_VERSION, profile: 'medium' as const, bufferSeconds: 10 };
    const workloads = workloadContexts(objects, options, imageLinker(objects, [], new Map()));
    return lintAppConfigs(appConfigContexts([source], [], workloads, skaffoldJibModules(objects)), [
      appDrainExceedsBudget,
    ]).map((f) => `${f.file}:${f.line}: ${f.message}`);
  };

  it('a skaffold.yaml jib artifact links the image to the module holding application.properties', () => {
    const skaffold =
      'apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n    - image: cart\n      context: shop/cart\n      jib: {}\n---\n';
    assert.deepEqual(lintJib(`${skaffold}${deployment('cart:1')}`, springConfig('shop/cart')), [
      'shop/cart/src/main/resources/application.properties:1: spring.lifecycle.timeout-per-shutdown-phase lets the app drain for up to 60s, but in Deployment cart container cart (built with Jib from shop/cart, linked by a jib artifact of skaffold.yaml) SIGKILL comes 45s after SIGTERM (grace 45s - preStop 0s): requests still running are cut',
    ]);
    assert.deepEqual(lintJib(`${skaffold}${deployment('other:1')}`, springConfig('shop/cart')), []);
  });

  it("the Maven plugin's to.image, or the module's name when the image is not written out", () => {
    const maven = { module: 'orders', plugin: 'jib-maven-plugin' as const };
    assert.match(
      lintJib(
        deployment('gcr.io/acme/orders-api:2'),
        springConfig('orders', { jib: { ...maven, image: 'gcr.io/acme/orders-api' } }),
      )[0] ?? '',
      /container cart \(built with Jib from orders, linked by jib-maven-plugin in pom\.xml\) SIGKILL comes 45s/,
    );
    assert.equal(
      lintJib(deployment('gcr.io/acme/orders:2'), springConfig('orders', { jib: maven })).length,
      1,
    );
    assert.deepEqual(
      lintJib(deployment('gcr.io/acme/billing:2'), springConfig('orders', { jib: maven })),
      [],
    );
  });
});

describe('a Spring Boot web module with no config file', () => {
  const pom =
    '<project>\n  <parent>\n    <artifactId>spring-boot-starter-parent</artifactId>\n    <version>2.7.18</version>\n  </parent>\n  <dependency><artifactId>spring-boot-starter-web</artifactId></dependency>\n</project>\n';
  const source = (file: string, text: string): AppConfigSource => ({
    file,
    text,
    settings: appSettings(file, text),
    springBootVersion: '2.7.18',
  });
  const lintModule = (sources: AppConfigSource[], dockerfiles: string[]) =>
    lintAppConfigs(
      appConfigContexts(
        sources,
        dockerfiles.map(
          (file) => dockerfileFacts(file, 'FROM eclipse-temurin:17\n') ?? assert.fail('no FROM'),
        ),
        [],
      ),
      [springGracefulShutdownOff],
    ).map((f) => `${f.file}:${f.line}`);

  it('is judged on its build when an image is built from it', () => {
    assert.deepEqual(lintModule([source('java/pom.xml', pom)], ['java/Dockerfile']), ['java/pom.xml:4']);
  });

  it('is not judged on its build when it has a config file, or builds no image', () => {
    const config = source(
      'java/src/main/resources/application.yml',
      'spring:\n  application:\n    name: x\n',
    );
    assert.deepEqual(lintModule([source('java/pom.xml', pom), config], ['java/Dockerfile']), [
      'java/src/main/resources/application.yml:1',
    ]);
    assert.deepEqual(lintModule([source('java/pom.xml', pom)], []), []);
  });
});

describe('Spring settings from a ConfigMap (Spring Cloud Kubernetes config)', () => {
  const bootstrap = 'spring:\n  application:\n    name: api\n';
  const module = (externalConfig?: string): AppConfigSource => ({
    file: 'api/src/main/resources/bootstrap.yml',
    text: bootstrap,
    settings: appSettings('api/src/main/resources/bootstrap.yml', bootstrap),
    springBootVersion: '2.6.3',
    ...(externalConfig ? { externalConfig } : {}),
  });
  const configMap = (yaml: string): JsonObject => ({
    kind: 'ConfigMap',
    metadata: { name: 'petclinic-config' },
    data: { 'application.yaml': yaml, 'README.txt': 'server.shutdown: immediate' },
  });
  const severities = (source: AppConfigSource, configMaps: JsonObject[]) =>
    lintAppConfigs(appConfigContexts([source], [], [], new Map(), configMaps), [
      springGracefulShutdownOff,
    ]).map((f) => `${f.file}:${f.line} ${f.severity}`);

  it("is judged by the input's ConfigMap that sets server.shutdown, read from its Spring config keys only", () => {
    const graceful = configMap('server:\n  shutdown: graceful\n');
    assert.deepEqual(severities(module('spring-cloud-starter-kubernetes-client-config'), [graceful]), []);
    assert.deepEqual(severities(module('spring-cloud-starter-kubernetes-client-config'), []), [
      'api/src/main/resources/bootstrap.yml:1 info',
    ]);
  });

  it('is not read for a module whose build loads no external config', () => {
    const graceful = configMap('server:\n  shutdown: graceful\n');
    assert.deepEqual(severities(module(), [graceful]), ['api/src/main/resources/bootstrap.yml:1 error']);
  });
});
