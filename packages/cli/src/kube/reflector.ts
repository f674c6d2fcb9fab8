/**
 * List, then watch from the list's resourceVersion, and keep watching: the reflector pattern of
 * client-go (tools/cache/reflector.go), small.
 * - A stream the server ends (its timeout) or that drops is re-opened from the last resourceVersion
 *   seen, after a short back-off.
 * - `410 Gone` (the version is too old, as after etcd compaction) means a fresh list; the
 *   difference between the cache and the new list is delivered as ADDED, MODIFIED and DELETED,
 *   so the consumer never misses a change, only sees it later.
 * - Server errors (5xx, 429) and drops are retried, with back-off and jitter like client-go's; a
 *   server that answers 410 to every watch is relisted with the same back-off, not in a loop.
 * - Other errors (403, 404) end the reflector with the ClusterError.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { getString, type JsonObject } from '../model/json.js';
import {
  type ClusterApi,
  ClusterError,
  listItems,
  objectKey,
  ProtocolError,
  type Query,
  type WatchStream,
} from './api.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ReflectorStats {
  readonly relists: number;
  readonly reconnects: number;
}

const BACKOFF_MS = [100, 250, 500, 1000, 2000, 5000];

/** The n-th back-off, with up to 50 % jitter so that many watchers do not retry in step. */
function backoff(failures: number): number {
  const base = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)] as number;
  return base * (1 + Math.random() * 0.5);
}

/** Worth another try: the server or the way to it had a passing problem. */
function transient(error: unknown): boolean {
  if (error instanceof ProtocolError) return false;
  if (!(error instanceof ClusterError)) return true;
  return error.status === undefined || error.status === 429 || error.status >= 500;
}
/** A watch that keeps failing while it retries: what failed, how often, and the last error. */
export interface WatchTrouble {
  readonly resource: string;
  readonly attempts: number;
  readonly error: string;
}

/** Ask the server to end each stream after this long, as client-go does (5-10 min); we re-open it. */
const WATCH_TIMEOUT_SECONDS = 300;

export class Reflector {
  private readonly cache = new Map<string, JsonObject>();
  private resourceVersion = '';
  private stream: WatchStream | undefined;
  private stopped = false;
  private relists = 0;
  private reconnects = 0;
  private failures = 0;
  private goneInARow = 0;
  private lastError: string | undefined;
  private readonly markSynced: () => void;
  /** Resolves after the first list has been delivered. */
  readonly synced: Promise<void>;
  /** Settles when the reflector stops: resolves on stop(), rejects on an error it cannot recover from. */
  readonly finished: Promise<void>;

  constructor(
    private readonly api: ClusterApi,
    private readonly path: string,
    private readonly query: Query,
    private readonly onChange: (
      type: ChangeType,
      object: JsonObject,
      previous: JsonObject | undefined,
    ) => void,
  ) {
    let markSynced = () => {};
    this.synced = new Promise((resolve) => {
      markSynced = resolve;
    });
    this.markSynced = markSynced;
    this.finished = this.run();
    // The owner awaits `finished` when it wants the error; never an unhandled rejection meanwhile.
    this.finished.catch(() => {});
  }

  items(): JsonObject[] {
    return [...this.cache.values()];
  }

  /** What is going wrong with the watch right now, while it keeps retrying; undefined when it is well. */
  trouble(): WatchTrouble | undefined {
    const resource = this.path.split('/').at(-1) ?? this.path;
    if (this.failures > 0) return { resource, attempts: this.failures, error: this.lastError ?? 'unknown' };
    // One 410 is etcd compaction; 410 again right after a fresh list is a server that cannot watch.
    if (this.goneInARow > 1)
      return {
        resource,
        attempts: this.goneInARow,
        error: 'it answers 410 Gone (resource version too old) to every watch, even right after a fresh list',
      };
    return undefined;
  }

  stats(): ReflectorStats {
    return { relists: this.relists, reconnects: this.reconnects };
  }

  stop(): void {
    this.stopped = true;
    this.stream?.stop();
  }

  private async run(): Promise<void> {
    await this.list();
    this.markSynced();
    while (!this.stopped) {
      let gone = false;
      let fatal: ClusterError | undefined;
      try {
        this.stream = this.api.watch(
          this.path,
          {
            ...this.query,
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: WATCH_TIMEOUT_SECONDS,
          },
          (event) => {
            if (event.type === 'ERROR') {
              if (event.object.code === 410) gone = true;
              else fatal = new ClusterError(`watch of ${this.path} failed: ${String(event.object.message)}`);
              this.stream?.stop();
              return;
            }
            const version = getString(event.object, ['metadata', 'resourceVersion']);
            if (version) this.resourceVersion = version;
            if (event.type !== 'BOOKMARK') this.apply(event.type, event.object);
          },
        );
        await this.stream.done;
        if (!gone) {
          this.failures = 0;
          this.lastError = undefined;
        }
      } catch (error) {
        if (error instanceof ClusterError && error.status === 410) gone = true;
        else if (transient(error)) {
          this.failures++;
          this.lastError = (error as Error).message;
        } else throw error;
      }
      if (fatal) throw fatal;
      if (this.stopped) return;
      if (gone) {
        // A relist right away, as client-go does; a server that keeps answering 410 waits longer each time.
        if (this.goneInARow++ > 0) await sleep(backoff(this.goneInARow - 2));
        if (this.stopped) return;
        await this.listRetrying();
        continue;
      }
      this.goneInARow = 0;
      this.reconnects++;
      await sleep(backoff(this.failures));
    }
  }

  /** A relist that a passing server error does not end: retried with back-off until stopped. */
  private async listRetrying(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.list();
        return;
      } catch (error) {
        if (!transient(error) || this.stopped) throw error;
        await sleep(backoff(attempt));
      }
    }
  }

  /** A full list; on a relist, the difference from the cache becomes ordinary changes. */
  private async list(): Promise<void> {
    const list = await this.api.get(this.path, this.query);
    if (this.resourceVersion !== '') this.relists++;
    this.resourceVersion = getString(list, ['metadata', 'resourceVersion']) ?? '';
    const seen = new Set<string>();
    for (const item of listItems(list)) {
      seen.add(objectKey(item));
      const previous = this.cache.get(objectKey(item));
      if (!previous) this.apply('ADDED', item);
      else if (
        getString(previous, ['metadata', 'resourceVersion']) !==
        getString(item, ['metadata', 'resourceVersion'])
      )
        this.apply('MODIFIED', item);
    }
    for (const [key, previous] of [...this.cache]) {
      if (!seen.has(key)) this.apply('DELETED', previous);
    }
  }

  private apply(type: ChangeType, object: JsonObject): void {
    const key = objectKey(object);
    const previous = this.cache.get(key);
    if (type === 'DELETED') this.cache.delete(key);
    else this.cache.set(key, object);
    this.onChange(type, object, previous);
  }
}
