/** Wording for error messages about values sent by untrusted clients. */

/** `a number`, `an array`, `null`: what a field held when it had the wrong type. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Echoes a bad string, cut short: messages are logged and returned, so they stay small. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}
