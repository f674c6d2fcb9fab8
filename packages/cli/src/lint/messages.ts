/**
 * Messages by id, as ESLint rules have them: each rule states its messages once, as templates in a
 * `messages` table, and a finding names one (`messageId`) with the values that fill it (`data`).
 * Tests assert the id and the data instead of matching wording, and the JSON and SARIF outputs
 * carry a stable `<rule>/<messageId>` per message.
 */

/** Message templates by id; `{name}` is replaced by the finding's `data.name`. */
export type MessageTable = Readonly<Record<string, string>>;

export type MessageData = Readonly<Record<string, string | number>>;

/** What a rule says about one finding: which of its messages, with what values. */
export interface RuleMessage {
  readonly messageId: string;
  readonly data?: MessageData;
}

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * The text of a message. An unknown id or a placeholder without data is a bug in the rule, caught
 * by its tests: the error names both.
 */
export function formatMessage(ruleId: string, messages: MessageTable, found: RuleMessage): string {
  const template = messages[found.messageId];
  if (template === undefined) throw new Error(`${ruleId}: no message "${found.messageId}"`);
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = found.data?.[name];
    if (value === undefined) throw new Error(`${ruleId}/${found.messageId}: no data for {${name}}`);
    return String(value);
  });
}

/** The placeholders of a template in order of first use: SARIF's `{0}`, `{1}`... arguments. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string))];
}

/**
 * A template in SARIF's form (§3.11.5): placeholders are argument indexes, and a literal brace is
 * doubled (a message may quote YAML such as `{sleep: {seconds: 15}}`).
 */
export function sarifTemplate(template: string): string {
  const names = placeholdersOf(template);
  return template
    .split(PLACEHOLDER)
    .map((part, i) => (i % 2 === 1 ? `{${names.indexOf(part)}}` : part.replace(/[{}]/g, '$&$&')))
    .join('');
}

/** A finding's data as SARIF arguments, in the order of its template's placeholders. */
export function sarifArguments(template: string, data: MessageData = {}): string[] {
  return placeholdersOf(template).map((name) => String(data[name]));
}
