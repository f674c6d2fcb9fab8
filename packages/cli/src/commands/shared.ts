import { Option } from 'commander';

export type OutputFormat = 'text' | 'json' | 'sarif' | 'github';

export function formatOption(formats: readonly OutputFormat[]): Option {
  return new Option('--format <format>', 'output format').choices(formats).default('text');
}
