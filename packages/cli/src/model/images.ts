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
