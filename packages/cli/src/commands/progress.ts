/**
 * Live progress while a rehearsal runs: one rewritten line on a terminal, a plain line every few
 * seconds otherwise (CI logs, pipes).
 */
import type { OutputStream } from '../output/io.js';
import type { ProgressSnapshot } from '../recording/records.js';

export function progressLine(snapshot: ProgressSnapshot, previous: ProgressSnapshot | undefined): string {
  const { load } = snapshot;
  const elapsed = previous ? (snapshot.at - previous.at) / 1000 : snapshot.at / 1000;
  const rate = elapsed > 0 ? Math.round((load.sent - (previous?.load.sent ?? 0)) / elapsed) : 0;
  const classes = Object.entries(load.byClass)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  const ready = snapshot.pods.filter((p) => p.ready && !p.terminating).length;
  const terminating = snapshot.pods.filter((p) => p.terminating).length;
  return `${(snapshot.at / 1000).toFixed(1)}s ${snapshot.phase}: ${rate} req/s, ${load.ok} ok, ${load.failed} failed${classes ? ` (${classes})` : ''}; pods ${ready} ready, ${terminating} terminating`;
}

export class ProgressPrinter {
  private timer: NodeJS.Timeout | undefined;
  private previous: ProgressSnapshot | undefined;

  constructor(
    private readonly stream: OutputStream,
    private readonly snapshot: () => ProgressSnapshot | undefined,
  ) {}

  start(): void {
    const tty = this.stream.isTTY === true;
    this.timer = setInterval(() => this.print(tty), tty ? 250 : 5000);
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.stream.isTTY && this.previous) this.stream.write('\r\u001b[K');
  }

  private print(tty: boolean): void {
    const snapshot = this.snapshot();
    if (!snapshot) return;
    const line = progressLine(snapshot, this.previous);
    this.previous = snapshot;
    this.stream.write(tty ? `\r\u001b[K${line}` : `${line}\n`);
  }
}
