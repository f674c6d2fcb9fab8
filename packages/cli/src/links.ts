/** Absolute links, so that they work wherever the text is read: a terminal, npm's page, a SARIF viewer. */
export const REPOSITORY_URL = 'https://github.com/lameduck-dev/lameduck';

/** A file of the repository's docs/ folder on its main branch, with an optional #anchor. */
export function docsUrl(file: string, anchor?: string): string {
  return `${REPOSITORY_URL}/blob/main/docs/${file}${anchor === undefined ? '' : `#${anchor}`}`;
}
