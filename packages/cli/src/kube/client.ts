/**
 * The real cluster behind `ClusterApi`. Kubeconfig, contexts, namespaces, TLS and credentials
 * (tokens, client certificates, exec plugins such as aws, gke-gcloud-auth-plugin and kubelogin) are
 * `@kubernetes/client-node`'s `KubeConfig`, which follows kubectl's rules: KUBECONFIG (a list),
 * then ~/.kube/config, then the in-cluster service account. Requests are plain HTTP on the agent it
 * configures, so a watch is a stream of JSON lines we read ourselves.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { isObject, type JsonObject } from '../model/json.js';
import {
  type ClusterApi,
  ClusterError,
  describeApiFailure,
  ProtocolError,
  type Query,
  type WatchEvent,
  type WatchStream,
} from './api.js';

export interface ConnectOptions {
  /** --kubeconfig; otherwise KUBECONFIG, ~/.kube/config or in-cluster. */
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly namespace?: string | undefined;
  /** Use the pod's service account (verify run from a pod in the cluster). */
  readonly inCluster?: boolean;
  /** The environment the kubeconfig is looked up in (KUBECONFIG, HOME). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Requests other than watches give up after this long. */
const REQUEST_TIMEOUT_MS = 30_000;

export async function connect(options: ConnectOptions): Promise<ClusterApi> {
  // Loaded on demand: the generated API clients are large, and only verify and collect need them.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  try {
    if (options.inCluster) config.loadFromCluster();
    else if (options.kubeconfig !== undefined) config.loadFromFile(options.kubeconfig);
    else loadDefault(config, options.env ?? process.env);
  } catch (error) {
    const where = options.kubeconfig ?? options.env?.KUBECONFIG ?? '~/.kube/config';
    throw new ClusterError(`cannot read the kubeconfig ${where}: ${(error as Error).message}`);
  }
  if (options.context !== undefined) {
    if (!config.getContextObject(options.context)) {
      const known = config.getContexts().map((c) => c.name);
      throw new ClusterError(
        `context "${options.context}" is not in the kubeconfig${known.length ? `; it has: ${known.join(', ')}` : ''}`,
      );
    }
    config.setCurrentContext(options.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw new ClusterError(
      'no cluster to talk to: the kubeconfig has no current context; pass --context or run kubectl config use-context',
    );
  }
  const contextNamespace = config.getContextObject(config.getCurrentContext())?.namespace;
  return new KubeClient(config, cluster.server, options.namespace ?? contextNamespace ?? 'default');
}

/**
 * KUBECONFIG and HOME from the given environment, the way kubectl reads them: files in the
 * KUBECONFIG list that do not exist are skipped (client-node would fail on them).
 */
function loadDefault(config: KubeConfig, env: NodeJS.ProcessEnv): void {
  const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
  const files = env.KUBECONFIG?.split(delimiter).filter((file) => file !== '' && existsSync(file));
  if (env.KUBECONFIG && files?.length === 0) {
    throw new Error('none of the files in KUBECONFIG exists');
  }
  const home = env.HOME ? join(env.HOME, '.kube', 'config') : undefined;
  if (!files?.length && !(home && existsSync(home)) && !env.KUBERNETES_SERVICE_HOST) {
    // client-node would fall back to http://localhost:8080, as kubectl did long ago.
    throw new Error(
      'there is none: KUBECONFIG is unset and ~/.kube/config does not exist; pass --kubeconfig, or --in-cluster in a pod',
    );
  }
  try {
    const effective = { KUBECONFIG: files?.join(delimiter), HOME: env.HOME };
    for (const key of ['KUBECONFIG', 'HOME'] as const) {
      if (effective[key] === undefined) delete process.env[key];
      else process.env[key] = effective[key];
    }
    config.loadFromDefault();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

class KubeClient implements ClusterApi {
  constructor(
    private readonly config: KubeConfig,
    readonly server: string,
    readonly namespace: string,
  ) {}

  async get(path: string, query: Query = {}): Promise<JsonObject> {
    return this.request('GET', path, query);
  }

  async patch(path: string, body: JsonObject, contentType: string, query: Query = {}): Promise<JsonObject> {
    return this.request('PATCH', path, query, { body: JSON.stringify(body), contentType });
  }

  watch(path: string, query: Query, onEvent: (event: WatchEvent) => void): WatchStream {
    const controller = new AbortController();
    const watchQuery = { ...query, watch: true };
    const done = (async () => {
      const response = await this.open('GET', path, watchQuery, controller.signal);
      if (response.statusCode !== 200) {
        throw this.failure('GET', path, watchQuery, response.statusCode ?? 0, await readJson(response));
      }
      let buffered = '';
      response.setEncoding('utf8');
      for await (const chunk of response) {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) onEvent(watchEvent(line, path));
          newline = buffered.indexOf('\n');
        }
        // A server that never ends a line would have this buffer grow without limit.
        if (buffered.length > MAX_WATCH_LINE) {
          throw new ProtocolError(
            `the watch of ${path} sent more than ${MAX_WATCH_LINE / 1024 / 1024} MB without a line break: not a Kubernetes watch stream`,
          );
        }
      }
      // A stream the server ends without a final newline was cut mid-event: a drop, not an end.
      if (buffered.trim() && !response.complete) throw new Error('watch stream cut mid-event');
    })().catch((error: unknown) => {
      if (controller.signal.aborted) return;
      throw error;
    });
    return { done, stop: () => controller.abort() };
  }

  private async request(
    method: string,
    path: string,
    query: Query,
    payload?: { body: string; contentType: string },
  ): Promise<JsonObject> {
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    let status: number;
    let body: JsonObject | undefined;
    try {
      const response = await this.open(method, path, query, signal, payload);
      body = await readJson(response);
      status = response.statusCode ?? 0;
    } catch (error) {
      // A server that accepts the connection and never answers: say so, in one line.
      if (!signal.aborted) throw error;
      throw new ClusterError(
        `${method} ${path}: the API server at ${this.server} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
      );
    }
    if (status >= 200 && status < 300) {
      if (body) return body;
      throw new ProtocolError(
        `${method} ${path}: the API server at ${this.server} answered ${status} with a body that is not a JSON object`,
      );
    }
    throw this.failure(method, path, query, status, body);
  }

  private failure(method: string, path: string, query: Query, status: number, body: JsonObject | undefined) {
    return new ClusterError(describeApiFailure(method, path, query, status, body, this.server), status);
  }

  private async open(
    method: string,
    path: string,
    query: Query,
    signal: AbortSignal,
    payload?: { body: string; contentType: string },
  ): Promise<http.IncomingMessage> {
    const url = new URL(this.server.replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const options: https.RequestOptions = {
      method,
      headers: {
        accept: 'application/json',
        'user-agent': 'lameduck',
        ...(payload ? { 'content-type': payload.contentType } : {}),
      },
    };
    try {
      await this.config.applyToHTTPSOptions(options);
    } catch (error) {
      // Exec credential plugins (aws, gke-gcloud-auth-plugin, kubelogin) fail here, and so does an
      // http:// server without insecure-skip-tls-verify.
      throw new ClusterError(`cannot authenticate to ${this.server}: ${(error as Error).message}`);
    }
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, { ...options, signal }, resolve);
      request.on('error', (error) => reject(this.unreachable(error)));
      request.end(payload?.body);
    });
  }

  private unreachable(error: Error & { code?: string }): Error {
    if (error.name === 'AbortError') return error;
    return new ClusterError(
      `cannot reach the API server at ${this.server} (${error.code ?? error.message}); check the context (--context) and your network or VPN`,
    );
  }
}

async function readJson(response: http.IncomingMessage): Promise<JsonObject | undefined> {
  let text = '';
  response.setEncoding('utf8');
  for await (const chunk of response) text += chunk;
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** One watch event is one line; the largest objects (a big ConfigMap) stay well under this. */
const MAX_WATCH_LINE = 16 * 1024 * 1024;

function watchEvent(line: string, path: string): WatchEvent {
  try {
    return JSON.parse(line) as WatchEvent;
  } catch {
    throw new ProtocolError(`the watch of ${path} sent a line that is not JSON: ${line.slice(0, 80)}`);
  }
}
