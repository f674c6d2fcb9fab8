import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtTool, fixture } from '../testing/helpers.js';
import { readKustomizations, withoutOrigins } from './kustomize.js';

const overlays = fixture('lint/kustomize-overlays');
const files = ['base', 'overlays/prod', 'overlays/staging'].map((d) => `${overlays}/${d}/kustomization.yaml`);

describe('kustomize rendering', () => {
  it('renders the overlays only: the base they include is linted through them', async () => {
    const renderer = { tool: 'kustomize', path: builtTool('kustomize') } as const;
    const read = await readKustomizations(files, { allowRemote: false, renderer });
    assert.deepEqual(read.errors, []);
    assert.deepEqual(
      read.rendered.map((r) => r.directory),
      [`${overlays}/overlays/prod`, `${overlays}/overlays/staging`],
    );
    assert.deepEqual(
      read.replaced,
      ['base', 'overlays/prod', 'overlays/staging'].map((d) => `${overlays}/${d}`),
    );
    const prod = read.rendered[0];
    assert.doesNotMatch(prod?.text ?? '', /config\.kubernetes\.io/, 'no rule sees the origin annotations');
    // The files its findings can be placed in: the base it includes, and its own patch.
    assert.deepEqual([...(prod?.origin?.files.keys() ?? [])].sort(), [
      `${overlays}/base/deployment.yaml`,
      `${overlays}/base/service.yaml`,
      `${overlays}/overlays/prod/grace.yaml`,
    ]);
  });

  it('in parallel renders exactly what one at a time renders', async () => {
    const renderer = { tool: 'kustomize', path: builtTool('kustomize') } as const;
    const many = [...files, ...files.slice(1)];
    const sequential = await readKustomizations(many, { allowRemote: false, renderer, concurrency: 1 });
    const parallel = await readKustomizations(many, { allowRemote: false, renderer, concurrency: 4 });
    assert.equal(sequential.rendered.length, 4);
    // Everything but the origins' functions, and where those place the same path.
    const shown = (read: typeof parallel) => ({
      ...read,
      rendered: read.rendered.map(({ origin, ...rest }) => ({
        ...rest,
        files: [...(origin?.files ?? [])],
        placed: origin?.place(0, { kind: 'Service', metadata: { name: 'shop' } }, ['spec', 'selector']),
      })),
    });
    assert.deepEqual(shown(parallel), shown(sequential));
  });

  it("takes kustomize's origin annotations out, keeping the user's own annotations", () => {
    const rendered = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  annotations:',
      '    alpha.config.kubernetes.io/transformations: |',
      '      - configuredIn: ../w/app/kustomization.yaml',
      '        configuredBy:',
      '          apiVersion: builtin',
      '          kind: PatchTransformer',
      '    config.kubernetes.io/origin: |',
      '      configuredIn: ../w/app/kustomization.yaml',
      '      configuredBy:',
      '        apiVersion: builtin',
      '        kind: ConfigMapGenerator',
      '  name: generated',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  annotations:',
      '    config.kubernetes.io/origin: |',
      '      path: ../w/base/deployment.yaml',
      '    team: shop',
      '  name: shop',
      '',
    ].join('\n');
    const { text, documents } = withoutOrigins(rendered, (path) => path.replace('../w/', 'repo/'));
    assert.equal(
      text,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: generated\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  annotations:\n    team: shop\n  name: shop\n',
    );
    assert.deepEqual(documents, [
      {
        start: 0,
        origin: {
          file: 'repo/app/kustomization.yaml',
          generated: true,
          patchedIn: ['repo/app/kustomization.yaml'],
        },
      },
      // Where the second document starts in the text returned, after its `---` line.
      { start: 63, origin: { file: 'repo/base/deployment.yaml', generated: false, patchedIn: [] } },
    ]);
    assert.equal(text.slice(63, 74), 'apiVersion:');
  });
});
