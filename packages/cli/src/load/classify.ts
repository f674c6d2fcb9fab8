/**
 * Turns what Node's http client saw into one stable error class (k6-style buckets, never a raw string).
 */
import type { ErrorClass } from '../recording/records.js';

/** Headers lameduck's emulated proxies add, as nginx logs $upstream_addr and the failure. */
export const UPSTREAM_HEADER = 'x-lameduck-upstream';
export const PROXY_ERROR_HEADER = 'x-lameduck-proxy-error';
export const TRIES_HEADER = 'x-lameduck-tries';

export interface TransportFailure {
  readonly code: string | undefined;
  readonly timedOut: boolean;
  /** Headers had arrived when it failed. */
  readonly responseStarted: boolean;
  /** The request went out on a kept-alive connection that had served earlier requests. */
  readonly reused: boolean;
}

export function classifyTransportError(failure: TransportFailure): ErrorClass {
  if (failure.timedOut) return 'timeout';
  if (failure.responseStarted) return 'truncated';
  switch (failure.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return failure.reused ? 'eof-reused' : 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'other';
  }
}

/** 502 and 504 are gateway answers by definition (RFC 9110 15.6.3, 15.6.5); 503 only when a proxy says so. */
export function classifyStatus(status: number, fromProxy: boolean): ErrorClass | undefined {
  if (status === 502) return 'proxy-502';
  if (status === 504) return 'proxy-504';
  if (status === 503 && fromProxy) return 'proxy-503';
  if (status >= 500) return 'http-5xx';
  if (status >= 400) return 'http-4xx';
  return undefined;
}
