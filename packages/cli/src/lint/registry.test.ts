import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { repoRoot } from '../testing/helpers.js';
import { ALL_RULES as RULES } from './registry.js';
import { DOCS_BASE } from './rule.js';

describe('rule registry', () => {
  const docs = readFileSync(`${repoRoot}docs/rules.md`, 'utf8');

  it('ids are unique and kebab-case', () => {
    const ids = RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  for (const rule of RULES) {
    it(`${rule.id} is documented at its docs link, with its severity`, () => {
      assert.equal(rule.docs, `${DOCS_BASE}#${rule.id}`);
      assert.match(docs, new RegExp(`^## ${rule.id}\\n\\n\\*\\*${rule.severity}\\.\\*\\*`, 'm'));
    });
  }
});
