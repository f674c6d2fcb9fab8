import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMessage, sarifArguments, sarifTemplate } from './messages.js';
import { ALL_RULES } from './registry.js';

describe('messages by id', () => {
  const messages = {
    cut: 'SIGKILL at t={sigkill}, {short} before {sigkill} ends: add {sleep: {seconds: 15}}',
  };

  it('fills a template from the finding data, every use of a name', () => {
    assert.equal(
      formatMessage('r', messages, { messageId: 'cut', data: { sigkill: '30s', short: 5 } }),
      'SIGKILL at t=30s, 5 before 30s ends: add {sleep: {seconds: 15}}',
    );
  });

  it('names the rule, the id and the placeholder a rule got wrong', () => {
    assert.throws(() => formatMessage('r', messages, { messageId: 'nope' }), /r: no message "nope"/);
    assert.throws(
      () => formatMessage('r', messages, { messageId: 'cut', data: { sigkill: '1s' } }),
      /r\/cut: no data for \{short\}/,
    );
  });

  it("writes SARIF's form: numbered placeholders in order of first use, literal braces doubled", () => {
    assert.equal(
      sarifTemplate(messages.cut),
      'SIGKILL at t={0}, {1} before {0} ends: add {{sleep: {{seconds: 15}}}}',
    );
    assert.deepEqual(sarifArguments(messages.cut, { short: 5, sigkill: '30s' }), ['30s', '5']);
  });

  it('every rule states its messages, and every id is a word', () => {
    for (const rule of ALL_RULES) {
      const ids = Object.keys(rule.messages);
      assert.ok(ids.length > 0, `${rule.id} has no messages`);
      for (const id of ids) assert.match(id, /^[a-z][A-Za-z0-9]*$/, `${rule.id}/${id}`);
    }
  });
});
