/**
 * The one small interface `verify` and `collect` reach a cluster through: read, list, one kind of
 * write (a patch), and watch. A real cluster (`kube/client.ts`) and the lab's test API server both
 * sit behind it, so the same code runs in CI against moving state.
 */
import { getString, type JsonObject } from '../model/json.js';
import { UsageError } from '../output/errors.js';

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: JsonObject;
}

export interface WatchStream {
  /** Resolves when the server ends the stream; rejects when the connection fails. */
  readonly done: Promise<void>;
  stop(): void;
}

export interface ClusterApi {
  /** The API server, for messages. */
  readonly server: string;
  /** The namespace of the kubeconfig context, or "default". */
  readonly namespace: string;
  get(path: string, query?: Query): Promise<JsonObject>;
  patch(path: string, body: JsonObject, contentType: string, query?: Query): Promise<JsonObject>;
  watch(path: string, query: Query, onEvent: (event: WatchEvent) => void): WatchStream;
}

/**
 * The items of a list response (`kind: ...List`), each with its kind and apiVersion: a real API
 * server leaves them out of list items (seen on 1.34), and whatever reads the objects later (lint,
 * the bundle) tells a Service from a Pod by its kind. kubectl restores them the same way.
 */
export function listItems(list: JsonObject): JsonObject[] {
  if (!Array.isArray(list.items)) return [];
  const kind =
    typeof list.kind === 'string' && list.kind.endsWith('List') ? list.kind.slice(0, -4) : undefined;
  const apiVersion = typeof list.apiVersion === 'string' ? list.apiVersion : undefined;
  return (list.items as JsonObject[]).map((item) => ({
    ...(kind === undefined ? {} : { kind }),
    ...(apiVersion === undefined ? {} : { apiVersion }),
    ...item,
  }));
}

/** namespace/name: what identifies an object of one resource. */
export function objectKey(object: JsonObject): string {
  return `${getString(object, ['metadata', 'namespace']) ?? ''}/${getString(object, ['metadata', 'name']) ?? ''}`;
}

/**
 * A problem with the cluster a person can fix (unreachable, forbidden, not found); exit code 2, like
 * every input error. `status` is the HTTP status when the API server answered.
 */
export class ClusterError extends UsageError {
  override name = 'ClusterError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The server answered something that is not the Kubernetes API's protocol: retrying will not help. */
export class ProtocolError extends ClusterError {
  override name = 'ProtocolError';
}

/** The verb and resource of a request, as RBAC names them, for a 403's message. */
export function rbacOf(method: string, path: string, query: Query = {}): { verb: string; resource: string } {
  const parts = path.split('/').filter(Boolean);
  // /api/v1/... or /apis/<group>/<version>/...
  const group = parts[0] === 'api' ? '' : (parts[1] ?? '');
  let rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  const resource = rest[0] ?? '';
  const named = rest.length > 1;
  const verb = method === 'PATCH' ? 'patch' : query.watch ? 'watch' : named ? 'get' : 'list';
  return { verb, resource: group ? `${resource}.${group}` : resource };
}

/** The one-line message for an API server's error answer. */
export function describeApiFailure(
  method: string,
  path: string,
  query: Query,
  status: number,
  body: JsonObject | undefined,
  server: string,
): string {
  const { verb, resource } = rbacOf(method, path, query);
  const said = typeof body?.message === 'string' ? body.message : undefined;
  const namespace = /\/namespaces\/([^/]+)/.exec(path)?.[1];
  const where = namespace ? ` in namespace ${decodeURIComponent(namespace)}` : ' at cluster scope';
  switch (status) {
    case 401:
      return `the API server at ${server} did not accept the credentials (401): log in again or check the kubeconfig user`;
    case 403:
      return `forbidden: this user may not ${verb} ${resource}${where}${said ? ` (${said})` : ''}; grant it with the Role in docs/verify.md#rbac`;
    case 404:
      return `not found: ${said ?? `${resource}${where}`}; check the name, the namespace (-n) and the context (--context)`;
    default:
      return `the API server answered ${status} to ${verb} ${resource}${where}${said ? `: ${said}` : ''}`;
  }
}
