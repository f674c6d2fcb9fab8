/** SARIF 2.1.0, as GitHub code scanning accepts it; checked by Microsoft's SARIF validator in the tests. */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VERSION } from '../../version.js';
import { type Finding, shownMessage } from '../engine.js';
import { sarifArguments, sarifTemplate } from '../messages.js';
import type { RuleMeta } from '../rule.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export function formatSarif(findings: readonly Finding[], rules: readonly RuleMeta[]): string {
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'lameduck',
            version: VERSION,
            informationUri: 'https://github.com/lameduck-dev/lameduck',
            rules: rules.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.description },
              helpUri: rule.docs,
              defaultConfiguration: { level: LEVEL[rule.severity] },
              // Ended with a period as SARIF's validator asks (SARIF2001), as the results' text is.
              messageStrings: Object.fromEntries(
                Object.entries(rule.messages).map(([id, template]) => [
                  id,
                  { text: `${sarifTemplate(template)}.` },
                ]),
              ),
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule) ?? 0,
          level: LEVEL[f.severity],
          message: messageOf(f, rules[index.get(f.rule) ?? -1]),
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactLocation(f.file),
                region: { startLine: f.line, startColumn: f.column },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** The finding's message: its text, and the id and arguments of its rule's message string. */
function messageOf(finding: Finding, rule: RuleMeta | undefined) {
  const id = finding.messageId.slice(finding.rule.length + 1);
  return {
    text: `${shownMessage(finding)}. Fix: ${finding.fix}`,
    id,
    arguments: sarifArguments(rule?.messages[id] ?? '', finding.data),
  };
}

/**
 * A relative path becomes a relative reference from the checkout (%SRCROOT%), which is what code
 * scanning resolves; an absolute one a file: URI. Each segment is percent-encoded (RFC 3986).
 */
function artifactLocation(file: string): { uri: string; uriBaseId?: string } {
  const path = file.replaceAll('\\', '/');
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: path.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}
