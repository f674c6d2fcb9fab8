/**
 * What leaves the cluster in an evidence bundle: objects with their secrets taken out. Pure.
 * - Environment values become names only (`valueFrom` keeps its kind, never the referenced value).
 * - The last-applied-configuration annotation and managedFields are dropped: they repeat the spec,
 *   env values included.
 * - Any string that looks like a token, a private key or a certificate is replaced, wherever it is
 *   (annotations, args, commands); so are secrets by shape: the password in a URL's userinfo, an
 *   Authorization header's credentials, the argument after --password or -p, NAME=value where the
 *   name says secret, and annotations, labels and {name, value} pairs whose name says secret.
 * Secret objects are never requested in the first place.
 */
import { isObject, type JsonObject } from '../model/json.js';

export const REDACTED = '<redacted>';

const SECRET_LOOKING = [
  /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g,
  /\beyJ[\w-]{5,}\.[\w-]{2,}\.[\w-]*/g, // JWTs (service account and OIDC tokens)
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|xox[abp]-[\w-]{10,}|AKIA[0-9A-Z]{16})\b/g,
];
/** A name that says its value is a secret: PASSWORD, db_password, api-key, X-Auth-Token, vault token… */
const SECRET_NAME = /(?:token|password|passwd|pwd|secret|api[-_]?key|credential|authorization|cookie)/i;
const SECRET_FLAG = /^(--?[\w.-]*(?:token|password|passwd|secret|api-?key|credential)[\w.-]*=).+$/i;
/** A flag whose value comes as the next argument: --password X, -p X (not a port: -p 8080). */
const SECRET_FLAG_ALONE = /^--?[\w.-]*(?:token|password|passwd|secret|api-?key|credential)s?$/i;
const SHAPES: readonly [RegExp, string][] = [
  // user:password@ in any URL: postgres://admin:pw@db, https://user:pw@host
  [/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+):[^@\s/]+@/gi, `$1:${REDACTED}@`],
  // Authorization: Bearer …, Basic …
  [/\b((?:Bearer|Basic|Token)\s+)[\w.~+/=-]{6,}/g, `$1${REDACTED}`],
  // PASSWORD=x, DB_TOKEN='x', api_key="x" inside shell strings and arguments
  [
    /\b(\w*(?:token|password|passwd|pwd|secret|api_?key|credentials?)\w*)=("[^"]*"|'[^']*'|[^\s;&|]+)/gi,
    `$1=${REDACTED}`,
  ],
];
const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

export function redactString(text: string): string {
  let result = text;
  for (const pattern of SECRET_LOOKING) result = result.replace(pattern, REDACTED);
  for (const [shape, replacement] of SHAPES) result = result.replace(shape, replacement);
  return result.replace(SECRET_FLAG, `$1${REDACTED}`);
}

/** command/args: the argument after a secret-looking flag is a secret too. */
function redactArguments(list: readonly unknown[]): unknown[] {
  return list.map((item, i) => {
    const previous = list[i - 1];
    const afterFlag =
      typeof previous === 'string' &&
      (SECRET_FLAG_ALONE.test(previous) || (previous === '-p' && !/^\d+$/.test(String(item))));
    return afterFlag ? REDACTED : redact(item);
  });
}

/** A {name, value} pair (an HTTP header of a probe, say) whose name says the value is secret. */
function secretPair(object: JsonObject): boolean {
  return typeof object.name === 'string' && SECRET_NAME.test(object.name) && typeof object.value === 'string';
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
  if (Array.isArray(value)) {
    return key === 'command' || key === 'args' ? redactArguments(value) : value.map((item) => redact(item));
  }
  if (!isObject(value)) return value;
  if (secretPair(value)) return { ...value, value: REDACTED };
  const result: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'managedFields') continue;
    if (key === 'annotations' && DROPPED_ANNOTATIONS.includes(k)) continue;
    if (k === 'env') result[k] = redactEnv(v);
    // An annotation or label whose key names a secret (vault.hashicorp.com/…token…) keeps its key only.
    else if ((key === 'annotations' || key === 'labels') && SECRET_NAME.test(k) && typeof v === 'string')
      result[k] = REDACTED;
    else result[k] = redact(v, k);
  }
  return result;
}
