/**
 * Which Dockerfile builds a container's image: the config file's `images` map, else a
 * skaffold.yaml artifact, else a unique name match (the image's last path segment equals the
 * directory of exactly one Dockerfile), else a unique suffix match (`rs-cart` or `hello-k8s-node`
 * built from `cart/` or `node/`: a project prefix on every image), else the only Dockerfile and the
 * only workload of the input.
 * The link is named in the findings that use it.
 */
import { dirname, join, normalize } from 'node:path';
import type { DockerfileContext, DockerfileFacts } from '../dockerfile/facts.js';
import type { StartedApp } from '../dockerfile/started-app.js';
import type { KubeObject } from '../manifests/objects.js';
import { getIn, getString, isObject } from '../model/json.js';
import { isWorkloadKind, podTemplatePath } from '../model/workloads.js';

export interface ImageLink {
  readonly facts: DockerfileFacts;
  /** What the build context says of the app the image starts as PID 1 (dockerfile/started-app.ts). */
  readonly startedApp?: StartedApp;
  readonly via: 'config' | 'skaffold' | 'name' | 'suffix' | 'only';
  /** For `only`: the directory holding both the Dockerfile and the workload. */
  readonly within?: string;
}

/** registry.example.com:5000/team/api:1.2@sha256:... -> registry.example.com:5000/team/api */
export function imageName(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  return withoutDigest.replace(/:[^/:]+$/, '');
}

/**
 * The nginx images that stop with SIGQUIT, and every image built on them: the official ones (and
 * nginx-unprivileged) since nginxinc/docker-nginx 3fb70dd (2020-11-24), Bitnami's from nginx 1.28
 * (bitnami/containers#75942, April 2025; a tag that is no version is taken as a current image).
 */
export function officialNginxImage(image: string): boolean {
  if (
    /^(?:(?:docker\.io\/)?(?:library\/)?nginx|(?:docker\.io\/)?nginxinc\/nginx-unprivileged)(?:[:@].*)?$/.test(
      image,
    )
  )
    return true;
  const bitnami = /^(?:[\w.-]+\/)?bitnami\/nginx(?::(\d+)\.(\d+)[^@]*)?(?:@.*)?$/.exec(image);
  if (!bitnami) return false;
  const [major, minor] = [Number(bitnami[1] ?? Number.NaN), Number(bitnami[2] ?? Number.NaN)];
  return Number.isNaN(major) || major > 1 || (major === 1 && minor >= 28);
}

/**
 * Words of an image name that make it a product around nginx rather than nginx: NGINX Gateway
 * Fabric's Go control plane (a `gateway-nginx` is nginx), ingress controllers (which handle SIGTERM
 * themselves), exporters, operators and agents.
 */
const NOT_NGINX_ITSELF = new Set(['fabric', 'ingress', 'controller', 'exporter', 'operator', 'agent']);

/** `my-nginx`, `nginx-unprivileged`, `bitnami/nginx`: an image that runs nginx, by the last segment of its name. */
export function runsNginx(image: string): boolean {
  const words = (image.split('/').pop() ?? '').replace(/[:@].*$/, '').split(/[-_.]/);
  return words.includes('nginx') && !words.some((word) => NOT_NGINX_ITSELF.has(word));
}

/**
 * The echo and hello servers examples and conformance tests deploy as backends (Gateway API's
 * echo-basic, Kubernetes' agnhost, HashiCorp's http-echo, Traefik's whoami, Google's hello-app,
 * go-httpbin), CoreDNS and lighttpd: small servers that bind their port first thing.
 */
const INSTANT_SERVERS = new Set([
  'echo-basic',
  'agnhost',
  'http-echo',
  'whoami',
  'hello-app',
  'go-httpbin',
  'coredns',
  'lighttpd',
]);

/**
 * The server an image runs that listens within milliseconds of starting, or undefined: nginx (by
 * its name, or the base its Dockerfile builds on), the small servers above, and a Go server built from the context's module
 * (one binary, no interpreter or JIT to warm up). Without a readiness probe the container counts
 * as ready once started, but its endpoint reaches a proxy only through the kubelet's status, the
 * EndpointSlice controller and each kube-proxy's next sync (hundreds of milliseconds at best; KEP-3453
 * measured seconds): such a server is listening by then, so the missing probe costs little at start.
 */
export function listensAtOnce(image: string, link: ImageLink | undefined): string | undefined {
  if (runsNginx(image) || (link && runsNginx(link.facts.baseImage))) return 'nginx';
  const name = imageName(image).split('/').pop() ?? '';
  if (INSTANT_SERVERS.has(name)) return `${name}, a small server that binds its port first thing,`;
  if (link?.startedApp?.runtime === 'go') return `a Go server (${describeLink(link)})`;
  return undefined;
}

export type ImageLinker = (image: string) => ImageLink | undefined;

/** One `build.artifacts` entry of a skaffold.yaml: its image and where it is built from. */
interface SkaffoldArtifact {
  readonly image: string;
  /** The build context, relative to the working directory. */
  readonly context: string;
  /** The Dockerfile, unless the artifact is built with Jib (or another builder without one). */
  readonly dockerfile?: string;
  readonly jib: boolean;
}

function skaffoldArtifacts(objects: readonly KubeObject[]): SkaffoldArtifact[] {
  const found: SkaffoldArtifact[] = [];
  for (const object of objects) {
    if (object.kind !== 'Config' || !object.apiVersion?.startsWith('skaffold/')) continue;
    const artifacts = getIn(object.value, ['build', 'artifacts']);
    if (!Array.isArray(artifacts)) continue;
    const base = dirname(object.source.name);
    for (const artifact of artifacts) {
      if (!isObject(artifact) || typeof artifact.image !== 'string') continue;
      const context = normalize(join(base, typeof artifact.context === 'string' ? artifact.context : '.'));
      const jib = artifact.jib !== undefined;
      const file = getIn(artifact, ['docker', 'dockerfile']);
      found.push({
        image: artifact.image,
        context,
        jib,
        ...(jib
          ? {}
          : { dockerfile: normalize(join(context, typeof file === 'string' ? file : 'Dockerfile')) }),
      });
    }
  }
  return found;
}

/** Images a skaffold.yaml builds with Jib, by image name: the module directory each is built from. */
export function skaffoldJibModules(objects: readonly KubeObject[]): ReadonlyMap<string, string> {
  return new Map(skaffoldArtifacts(objects).flatMap((a) => (a.jib ? [[a.image, a.context] as const] : [])));
}

export function imageLinker(
  objects: readonly KubeObject[],
  dockerfiles: readonly DockerfileContext[],
  configured: ReadonlyMap<string, string>,
): ImageLinker {
  const byPath = new Map(dockerfiles.map((context) => [normalize(context.facts.file), context]));
  const linked = (context: DockerfileContext | undefined, via: ImageLink['via']) =>
    context && linkTo(context, via);
  const skaffold = new Map(
    skaffoldArtifacts(objects).flatMap((a) => (a.dockerfile ? [[a.image, a.dockerfile] as const] : [])),
  );
  const only = onlyPairing(objects, dockerfiles);
  return (image) => {
    const name = imageName(image);
    const fromConfig = configured.get(name);
    if (fromConfig !== undefined) {
      return linked(byPath.get(normalize(fromConfig)), 'config');
    }
    const fromSkaffold = skaffold.get(name);
    if (fromSkaffold !== undefined) {
      return linked(byPath.get(fromSkaffold), 'skaffold');
    }
    const last = name.split('/').pop() ?? '';
    const directory = ({ facts }: DockerfileContext) => dirname(facts.file).split('/').pop() ?? '';
    const matches = dockerfiles.filter((context) => directory(context) === last);
    if (matches.length === 1) return linked(matches[0], 'name');
    // Only where no directory has the whole name: a name match that is ambiguous stays unlinked.
    const suffixed =
      matches.length === 0
        ? dockerfiles.filter((context) => {
            const dir = directory(context);
            return dir.length >= 3 && (last.endsWith(`-${dir}`) || last.endsWith(`_${dir}`));
          })
        : [];
    if (suffixed.length === 1) return linked(suffixed[0], 'suffix');
    return only && only.image === image ? only.link : undefined;
  };
}

/**
 * A one-service repository: exactly one Dockerfile and exactly one workload, whose pod runs exactly
 * one container. Its image is then built by that Dockerfile, whatever the names say.
 */
function onlyPairing(
  objects: readonly KubeObject[],
  dockerfiles: readonly DockerfileContext[],
): { image: string; link: ImageLink } | undefined {
  const workloads = objects.filter((object) => isWorkloadKind(object.kind));
  const [context] = dockerfiles;
  const [workload] = workloads;
  if (
    dockerfiles.length !== 1 ||
    workloads.length !== 1 ||
    !context ||
    !workload ||
    !isWorkloadKind(workload.kind)
  )
    return undefined;
  const containers = getIn(workload.value, [...podTemplatePath(workload.kind), 'spec', 'containers']);
  if (!Array.isArray(containers) || containers.length !== 1) return undefined;
  const image = getString(containers[0], ['image']);
  if (image === undefined) return undefined;
  const within = commonDirectory(dirname(context.facts.file), dirname(workload.source.name));
  return { image, link: { ...linkTo(context, 'only'), within } };
}

/** A link to what a Dockerfile and its build context say, and how it was made. */
function linkTo(context: DockerfileContext, via: ImageLink['via']): ImageLink {
  return { facts: context.facts, ...(context.startedApp ? { startedApp: context.startedApp } : {}), via };
}

function commonDirectory(a: string, b: string): string {
  const left = normalize(a).split('/');
  const right = normalize(b).split('/');
  let shared = 0;
  while (shared < left.length && left[shared] === right[shared]) shared++;
  return shared === 0 ? (a.startsWith('/') ? '/' : '.') : left.slice(0, shared).join('/') || '/';
}

/** How the link was made, as a clause: "linked by skaffold.yaml". */
export function linkReason(link: ImageLink): string {
  if (link.via === 'only')
    return `linked because it is the only Dockerfile and the only workload in ${link.within ?? '.'}`;
  const how = {
    config: 'the images map of .lameduck.yaml',
    skaffold: 'skaffold.yaml',
    name: 'its directory name',
    suffix: 'its directory name, which ends the image name',
  }[link.via];
  return `linked by ${how}`;
}

export function describeLink(link: ImageLink): string {
  return `built by ${link.facts.file} (${linkReason(link)}; final stage FROM ${link.facts.baseImage})`;
}
