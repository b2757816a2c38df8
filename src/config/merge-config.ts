type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Layers `override` on `base`: objects merge key by key, everything else (arrays included)
 * replaces. So `spaces` in a TROUPE_CONFIG file replaces the default list rather than appending to
 * the development space. Neither input is modified.
 */
export function mergeConfig(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Plain = {};
  for (const [key, value] of Object.entries(base)) define(out, key, value);
  for (const [key, value] of Object.entries(override)) define(out, key, Object.hasOwn(out, key) ? mergeConfig(out[key], value) : value);
  return out;
}

// JSON.parse yields an own "__proto__" key; plain assignment would set the prototype instead.
// Defining it keeps it an ordinary key, which validation then refuses as unknown.
function define(target: Plain, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
