/**
 * What leaves the cluster in an evidence bundle: objects with their secrets taken out. Pure.
 * - Environment values become names only (`valueFrom` keeps its kind, never the referenced value).
 * - The last-applied-configuration annotation and managedFields are dropped: they repeat the spec,
 *   env values included.
 * - Any string that looks like a token, a private key or a certificate is replaced, wherever it is
 *   (annotations, args, commands).
 * Secret objects are never requested in the first place.
 */
import { isObject, type JsonObject } from '../model/json.js';

export const REDACTED = '<redacted>';

const SECRET_LOOKING = [
  /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g,
  /\beyJ[\w-]{5,}\.[\w-]{2,}\.[\w-]*/g, // JWTs (service account and OIDC tokens)
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|xox[abp]-[\w-]{10,}|AKIA[0-9A-Z]{16})\b/g,
];
const SECRET_FLAG = /^(--?[\w.-]*(?:token|password|passwd|secret|api-?key|credential)[\w.-]*=).+$/i;
const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

export function redactString(text: string): string {
  let result = text;
  for (const pattern of SECRET_LOOKING) result = result.replace(pattern, REDACTED);
  return result.replace(SECRET_FLAG, `$1${REDACTED}`);
}

function redactEnv(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((entry) => {
    if (!isObject(entry)) return entry;
    const from = isObject(entry.valueFrom) ? Object.keys(entry.valueFrom)[0] : undefined;
    return {
      name: entry.name,
      ...(entry.value !== undefined ? { value: REDACTED } : {}),
      ...(from ? { valueFrom: from } : {}),
    };
  });
}

export function redact(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map((item) => redact(item));
  if (!isObject(value)) return value;
  const result: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'managedFields') continue;
    if (key === 'annotations' && DROPPED_ANNOTATIONS.includes(k)) continue;
    if (k === 'env') result[k] = redactEnv(v);
    else result[k] = redact(v, k);
  }
  return result;
}
