/** Plain JSON values as they come out of a parsed manifest, and safe access to them. */

export type JsonObject = { [key: string]: unknown };
export type Path = readonly (string | number)[];

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function getIn(value: unknown, path: Path): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[key];
    } else {
      if (!isObject(current)) return undefined;
      current = current[key];
    }
  }
  return current;
}

export function getObject(value: unknown, path: Path): JsonObject | undefined {
  const found = getIn(value, path);
  return isObject(found) ? found : undefined;
}

export function getString(value: unknown, path: Path): string | undefined {
  const found = getIn(value, path);
  return typeof found === 'string' ? found : undefined;
}

export function getNumber(value: unknown, path: Path): number | undefined {
  const found = getIn(value, path);
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}
