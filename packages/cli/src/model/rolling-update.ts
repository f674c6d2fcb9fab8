/** A rolling update's surge and unavailability as the Deployment controller resolves them. */

/**
 * Resolved the way the Deployment controller does (deployment/util ResolveFenceposts): surge rounds
 * up, unavailable rounds down, and if both come to 0, unavailable becomes 1.
 */
export function resolveRollingUpdate(
  maxSurge: unknown,
  maxUnavailable: unknown,
  replicas: number,
): { surge: number; unavailable: number } {
  const scale = (value: unknown, roundUp: boolean): number => {
    if (typeof value === 'number') return value;
    const match = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
    if (!match) return 0;
    const exact = (Number(match[1]) * replicas) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  };
  const surge = scale(maxSurge ?? '25%', true);
  let unavailable = scale(maxUnavailable ?? '25%', false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}
