/**
 * The corpus: realistic multi-service manifests written for the tests (test/corpus) and the
 * repository's examples. Each lints to exactly the findings in its .expected file (reviewed by
 * hand; regenerate with UPDATE_CORPUS=1 and review the diff), and survives fix-then-lint.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { cliRoot, repoRoot, runCli } from '../testing/helpers.js';
import { RULES } from './registry.js';

const corpusDir = join(cliRoot, 'test/corpus');
const fixable = new Set(RULES.filter((rule) => rule.fixedBy !== undefined).map((rule) => rule.id));

interface JsonFinding {
  readonly rule: string;
  readonly line: number;
  readonly object: { readonly name: string; readonly container: string | null };
}

async function findings(file: string): Promise<JsonFinding[]> {
  const run = await runCli(['lint', file, '--format', 'json']);
  assert.notEqual(run.code, 2, run.stderr);
  return JSON.parse(run.stdout).findings;
}

const asLines = (list: readonly JsonFinding[]) =>
  list.map(
    (f) => `${f.line} ${f.rule} ${f.object.name}${f.object.container ? `/${f.object.container}` : ''}`,
  );

describe('lint corpus', async () => {
  const corpus = (await readdir(corpusDir))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(corpusDir, name));
  const examples = ['default-grace', 'guide', 'lab'].map((name) =>
    join(repoRoot, 'examples', name, 'deployment.yaml'),
  );
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lameduck-corpus-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  for (const file of corpus) {
    it(`${basename(file)} lints to exactly its expected findings`, async () => {
      const actual = asLines(await findings(file));
      const expectedFile = file.replace(/\.yaml$/, '.expected');
      if (process.env.UPDATE_CORPUS === '1') await writeFile(expectedFile, `${actual.join('\n')}\n`);
      const expected = (await readFile(expectedFile, 'utf8')).split('\n').filter(Boolean);
      assert.deepEqual(actual, expected);
    });
  }

  for (const file of [...corpus, ...examples]) {
    it(`${file.slice(repoRoot.length)}: fix, then lint finds none of the fixable rules; a second fix changes nothing`, async () => {
      const copy = join(dir, `${basename(file, '.yaml')}-${Math.random().toString(36).slice(2)}.yaml`);
      await copyFile(file, copy);
      const before = await readFile(copy, 'utf8');
      const fixed = await runCli(['fix', copy]);
      assert.equal(fixed.code, 0, fixed.stderr);
      const once = await readFile(copy, 'utf8');
      assert.deepEqual(
        (await findings(copy)).filter((f) => fixable.has(f.rule)).map((f) => `${f.line} ${f.rule}`),
        [],
      );
      // Still the same documents, every comment kept.
      assert.equal(parseAllDocuments(once).length, parseAllDocuments(before).length);
      for (const comment of before.split('\n').filter((line) => line.trim().startsWith('#'))) {
        assert.ok(once.includes(comment), `comment kept: ${comment}`);
      }
      await runCli(['fix', copy]);
      assert.equal(await readFile(copy, 'utf8'), once);
    });
  }
});
