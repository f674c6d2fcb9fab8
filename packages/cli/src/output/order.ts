/**
 * Text order that is the same on every machine: by UTF-16 code unit, like `LC_ALL=C sort`.
 * `localeCompare` follows the user's locale, so findings and files would come out in a different
 * order on a Swedish laptop than in CI.
 */
export function byCodeUnit(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
