/**
 * Cleanup hooks (database pools, queues): run in reverse order of registration, since the last
 * thing opened usually depends on the first, each bounded by its own timeout. An error or a timeout
 * in one is reported and the rest still run.
 */

export interface CleanupHook {
  readonly name: string;
  readonly run: () => unknown;
  readonly timeoutMs: number;
}

export type HookOutcome =
  | { readonly name: string; readonly status: 'ok'; readonly ms: number }
  | { readonly name: string; readonly status: 'error'; readonly ms: number; readonly error: unknown }
  | { readonly name: string; readonly status: 'timeout'; readonly ms: number };

export async function runHooks(
  hooks: readonly CleanupHook[],
  report: (outcome: HookOutcome) => void,
  now: () => number = Date.now,
): Promise<HookOutcome[]> {
  const outcomes: HookOutcome[] = [];
  for (const hook of [...hooks].reverse()) {
    const started = now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), hook.timeoutMs);
    });
    let outcome: HookOutcome;
    try {
      const result = await Promise.race([Promise.resolve().then(hook.run), timeout]);
      outcome =
        result === 'timeout'
          ? { name: hook.name, status: 'timeout', ms: now() - started }
          : { name: hook.name, status: 'ok', ms: now() - started };
    } catch (error) {
      outcome = { name: hook.name, status: 'error', ms: now() - started, error };
    } finally {
      clearTimeout(timer);
    }
    outcomes.push(outcome);
    report(outcome);
  }
  return outcomes;
}
