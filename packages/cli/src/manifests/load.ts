/** Paths to Kubernetes objects, collecting every input problem instead of stopping at the first. */
import type { InputError } from '../output/errors.js';
import { type KubeObject, objectsOf } from './objects.js';
import { parseSource } from './parse.js';
import { readManifestSources } from './read.js';

export interface LoadedManifests {
  readonly objects: KubeObject[];
  readonly errors: InputError[];
  readonly files: number;
}

export async function loadManifests(
  paths: readonly string[],
  readStdin: () => Promise<string>,
): Promise<LoadedManifests> {
  const { sources, errors } = await readManifestSources(paths, readStdin);
  const objects: KubeObject[] = [];
  for (const source of sources) {
    const { parsed, errors: parseErrors } = parseSource(source);
    errors.push(...parseErrors);
    if (!parsed) continue;
    const found = objectsOf(parsed);
    objects.push(...found.objects);
    errors.push(...found.errors);
  }
  return { objects, errors, files: sources.length };
}
