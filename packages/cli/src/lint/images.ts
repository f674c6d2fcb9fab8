/**
 * Which Dockerfile builds a container's image: the config file's `images` map, else a
 * skaffold.yaml artifact, else a unique name match (the image's last path segment equals the
 * directory of exactly one Dockerfile). The link is named in the findings that use it.
 */
import { dirname, join, normalize } from 'node:path';
import type { DockerfileFacts } from '../dockerfile/facts.js';
import type { KubeObject } from '../manifests/objects.js';
import { getIn, isObject } from '../model/json.js';

export interface ImageLink {
  readonly facts: DockerfileFacts;
  readonly via: 'config' | 'skaffold' | 'name';
}

/** registry.example.com:5000/team/api:1.2@sha256:... -> registry.example.com:5000/team/api */
export function imageName(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  return withoutDigest.replace(/:[^/:]+$/, '');
}

/**
 * The official nginx images (and nginx-unprivileged) set STOPSIGNAL SIGQUIT (nginxinc/docker-nginx
 * 3fb70dd, 2020-11-24), and so does every image built on them.
 */
export function officialNginxImage(image: string): boolean {
  return /^(?:(?:docker\.io\/)?(?:library\/)?nginx|(?:docker\.io\/)?nginxinc\/nginx-unprivileged)(?:[:@].*)?$/.test(
    image,
  );
}

export type ImageLinker = (image: string) => ImageLink | undefined;

export function imageLinker(
  objects: readonly KubeObject[],
  dockerfiles: readonly DockerfileFacts[],
  configured: ReadonlyMap<string, string>,
): ImageLinker {
  const byPath = new Map(dockerfiles.map((facts) => [normalize(facts.file), facts]));
  const skaffold = new Map<string, string>();
  for (const object of objects) {
    if (object.kind !== 'Config' || !object.apiVersion?.startsWith('skaffold/')) continue;
    const artifacts = getIn(object.value, ['build', 'artifacts']);
    if (!Array.isArray(artifacts)) continue;
    const base = dirname(object.source.name);
    for (const artifact of artifacts) {
      if (!isObject(artifact) || typeof artifact.image !== 'string') continue;
      const context = typeof artifact.context === 'string' ? artifact.context : '.';
      const file = getIn(artifact, ['docker', 'dockerfile']);
      skaffold.set(
        artifact.image,
        normalize(join(base, context, typeof file === 'string' ? file : 'Dockerfile')),
      );
    }
  }
  return (image) => {
    const name = imageName(image);
    const fromConfig = configured.get(name);
    if (fromConfig !== undefined) {
      const facts = byPath.get(normalize(fromConfig));
      return facts ? { facts, via: 'config' } : undefined;
    }
    const fromSkaffold = skaffold.get(name);
    if (fromSkaffold !== undefined) {
      const facts = byPath.get(fromSkaffold);
      return facts ? { facts, via: 'skaffold' } : undefined;
    }
    const last = name.split('/').pop();
    const matches = dockerfiles.filter((facts) => dirname(facts.file).split('/').pop() === last);
    return matches.length === 1 && matches[0] ? { facts: matches[0], via: 'name' } : undefined;
  };
}

export function describeLink(link: ImageLink): string {
  const how = {
    config: 'the images map of .lameduck.yaml',
    skaffold: 'skaffold.yaml',
    name: 'its directory name',
  }[link.via];
  return `built by ${link.facts.file} (linked by ${how}; final stage FROM ${link.facts.baseImage})`;
}
