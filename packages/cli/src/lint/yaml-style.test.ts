import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepFlowPadding, styleOf } from './yaml-style.js';

describe('yaml style of a document', () => {
  it('kubectl style: 2 spaces, sequences level with their key', () => {
    const text = 'spec:\n  containers:\n  - name: a\n    ports:\n    - containerPort: 80\n';
    assert.deepEqual(styleOf(text), { indent: 2, indentSeq: false, flowCollectionPadding: false });
  });

  it('Helm chart style: sequences indented, flow maps padded', () => {
    const text = 'spec:\n  containers:\n    - name: a\n      env:\n        - { name: A, value: b }\n';
    assert.deepEqual(styleOf(text), { indent: 2, indentSeq: true, flowCollectionPadding: true });
  });

  it('4-space indentation, comments and blank lines ignored', () => {
    const text = 'metadata:\n    # the name\n\n    name: a\nspec:\n    template:\n        spec: {}\n';
    assert.equal(styleOf(text).indent, 4);
  });

  it('puts back lines whose only change is flow padding, and nothing else', () => {
    const original = 'a: { x: 1 }\ncommand: ["sh", "-c"]\nn: 1\n';
    const written = 'a: { x: 1 }\ncommand: [ "sh", "-c" ]\nn: 2\n';
    assert.equal(keepFlowPadding(original, written), 'a: { x: 1 }\ncommand: ["sh", "-c"]\nn: 2\n');
  });
});
