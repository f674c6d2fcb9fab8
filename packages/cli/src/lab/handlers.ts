/**
 * Probe and lifecycle handlers as the kubelet runs them (pkg/kubelet/prober, lifecycle): an HTTP GET
 * that succeeds on 200-399, a TCP connect, a command that exits 0; each bounded by a timeout.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { dyingWithLab } from './process.js';
import type { ProbeHandler } from './spec.js';

export interface HandlerContext {
  readonly host: string;
  /** Resolves a port reference (number or named containerPort) to the replica's real port. */
  readonly port: (ref: number | string) => number | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export type HandlerResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Where a handler goes, as a person would write it: GET http://127.0.0.1:41234/healthz. */
export function describeTarget(handler: ProbeHandler, context: HandlerContext): string {
  switch (handler.kind) {
    case 'httpGet':
      return `GET ${handler.https ? 'https' : 'http'}://${context.host}:${context.port(handler.port) ?? handler.port}${handler.path}`;
    case 'tcpSocket':
      return `TCP ${context.host}:${context.port(handler.port) ?? handler.port}`;
    case 'exec':
      return `exec ${JSON.stringify(handler.command)}`;
  }
}

export function runHandler(
  handler: ProbeHandler,
  context: HandlerContext,
  timeoutMs: number,
): Promise<HandlerResult> {
  switch (handler.kind) {
    case 'httpGet':
      return httpGet(handler.path, context.port(handler.port), handler.https, context.host, timeoutMs);
    case 'tcpSocket':
      return tcpConnect(context.port(handler.port), context.host, timeoutMs);
    case 'exec':
      return execCommand(handler.command, context, timeoutMs);
  }
}

export function httpGet(
  path: string,
  port: number | undefined,
  secure: boolean,
  host: string,
  timeoutMs: number,
): Promise<HandlerResult> {
  if (port === undefined) return Promise.resolve({ ok: false, reason: 'no such port' });
  return new Promise((resolve) => {
    const transport = secure ? https : http;
    const request = transport.get(
      {
        host,
        port,
        path,
        agent: false,
        timeout: timeoutMs,
        rejectUnauthorized: false,
        headers: { 'user-agent': 'kube-probe/1.30' },
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        resolve(status >= 200 && status < 400 ? { ok: true } : { ok: false, reason: `HTTP ${status}` });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, reason: error.code ?? error.message }),
    );
  });
}

function tcpConnect(port: number | undefined, host: string, timeoutMs: number): Promise<HandlerResult> {
  if (port === undefined) return Promise.resolve({ ok: false, reason: 'no such port' });
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => socket.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, reason: error.code ?? error.message }),
    );
  });
}

/** Runs in the replica's environment; killed (with everything it started) at the timeout. */
export function execCommand(
  command: readonly string[],
  context: HandlerContext,
  timeoutMs: number,
): Promise<HandlerResult> {
  // Like `kubectl exec`, it runs in the container's environment (its marker included, so it ends
  // with the container) and never outlives the lab.
  const [program, ...args] = dyingWithLab(command);
  return new Promise((resolve) => {
    const child = spawn(program as string, args, {
      env: context.env,
      cwd: context.cwd,
      stdio: 'ignore',
      detached: true,
    });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }
      resolve({ ok: false, reason: `timed out after ${timeoutMs / 1000} s` });
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: error.message });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(
        code === 0
          ? { ok: true }
          : { ok: false, reason: signal ? `killed by ${signal}` : `exit code ${code}` },
      );
    });
  });
}
