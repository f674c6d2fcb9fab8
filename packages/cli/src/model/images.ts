/** What an image's name says about its contents. */

/**
 * Images known to ship no shell or sleep: distroless (except its :debug variants) and Chainguard
 * images (except -dev variants).
 */
export function shellLessImage(image: string): boolean {
  const [name = '', tag = ''] = image.split('@')[0]?.split(/:(?=[^/]*$)/) ?? [];
  if (/^gcr\.io\/distroless\//.test(name)) return !/debug/.test(tag);
  if (/^cgr\.dev\/chainguard\//.test(name)) return !/dev/.test(tag);
  return false;
}

/** Programs a shell-less image does not have: the shells and sleep. */
export const SHELL_OR_SLEEP = /(?:^|\/)(?:sh|bash|ash|dash|sleep)$/;

/**
 * Images that run Node: the official `node` image (also under docker.io/library or a mirror's
 * path), Chainguard's `node`, distroless `nodejs*`, Bitnami's `node`.
 */
export function nodeImage(image: string): boolean {
  const name = image.split('@')[0]?.split(/:(?=[^/]*$)/)[0] ?? '';
  return /(?:^|\/)(?:node|nodejs\d*(?:-[\w.]+)?)$/.test(name);
}

/** A command that runs Node, directly, through its package managers, or inside a `sh -c` script. */
export function nodeCommand(argv: readonly string[]): boolean {
  return argv
    .join(' ')
    .split(/[\s;&|()]+/)
    .some((word) => /^(?:node|nodejs|npm|npx|yarn|pnpm)$/.test(word.split('/').at(-1) ?? ''));
}
