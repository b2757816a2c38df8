import type { ErrorData } from '../shared/errors.ts';
import { isWellFormed, LONE_SURROGATE_PROBLEM } from '../shared/well-formed.ts';
import { FORBIDDEN_KEYS, MAX_DEPTH } from './limits.ts';

export interface InspectShapeOptions {
  /** Deepest allowed container level; the root value is level 1. */
  readonly maxDepth?: number;
  /** A key of the root object whose value is not walked (a batch envelope's `batch`). */
  readonly skipRootKey?: string;
  /**
   * The value was parsed from text no string of which can hold an unpaired surrogate
   * (`isSurrogateFreeJson`), so keys and strings need no check. Default false: check them.
   */
  readonly surrogateFree?: boolean;
}

/** One container on the walk's stack; `parent` and `key` rebuild its path only on failure. */
interface Frame {
  readonly value: object;
  readonly depth: number;
  readonly parent: Frame | undefined;
  readonly key: string | number | undefined;
}

const FORBIDDEN: ReadonlySet<string> = new Set(FORBIDDEN_KEYS);

/** A path longer than this is cut from the front: the end names the offending key. */
const MAX_PATH_CHARS = 200;

/**
 * Walks a parsed JSON value and reports the first problem no later stage could store faithfully,
 * or undefined when there is none:
 * - a container nested deeper than `maxDepth` (`nesting_too_deep`);
 * - a forbidden key (`forbidden_key`);
 * - a key or string value with an unpaired UTF-16 surrogate (`invalid_unicode`): msgpack and
 *   LMDB would store it as something else, so it would not read back as sent;
 * - a number that is not finite (`invalid_field`): JSON.parse reads `1e400` as Infinity, which
 *   would read back as `null`.
 *
 * It must run before anything recursive (JSON.stringify, structured clone, msgpackr)
 * touches an untrusted value: a 500 KB body can nest 250,000 levels, which overflows the stack
 * of any recursive walk. So this one keeps its own stack, and stops at the first level over the
 * limit, so its cost is bounded by the size of the value.
 *
 * Keys are read with Object.keys: JSON.parse makes `__proto__` an own property, which `in` or a
 * prototype lookup would not report correctly.
 *
 * @example
 * inspectShape(JSON.parse('{"properties":{"a":{"__proto__":{}}}}'))
 * // → { code: 'forbidden_key', message: 'forbidden key at properties.a.__proto__' }
 */
export function inspectShape(value: unknown, options: InspectShapeOptions = {}): ErrorData | undefined {
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  const checkStrings = options.surrogateFree !== true;
  if (!isContainer(value)) return undefined;
  if (maxDepth < 1) return tooDeep(maxDepth, { value, depth: 1, parent: undefined, key: undefined });

  const stack: Frame[] = [{ value, depth: 1, parent: undefined, key: undefined }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const childDepth = frame.depth + 1;
    // Scalars are checked in the loops the walk makes anyway (it runs on every event): the first
    // bad one in document order is remembered and reported once the level's other checks pass.
    if (Array.isArray(frame.value)) {
      const array: unknown[] = frame.value;
      let badIndex = -1;
      // Pushed in reverse so that the walk, and so the problem reported, follows document order.
      for (let i = array.length - 1; i >= 0; i -= 1) {
        const child = array[i];
        if (!isContainer(child)) {
          if (isBadScalar(child, checkStrings)) badIndex = i;
          continue;
        }
        const next: Frame = { value: child, depth: childDepth, parent: frame, key: i };
        if (childDepth > maxDepth) return tooDeep(maxDepth, next);
        stack.push(next);
      }
      if (badIndex !== -1) return scalarProblem(array[badIndex], frame, badIndex);
      continue;
    }
    const object = frame.value as Record<string, unknown>;
    const keys = Object.keys(object);
    let badKey: string | undefined;
    for (const key of keys) {
      if (FORBIDDEN.has(key)) {
        return { code: 'forbidden_key', message: `forbidden key at ${formatPath({ value: object, depth: childDepth, parent: frame, key })}` };
      }
      if (badKey !== undefined || (frame.parent === undefined && key === options.skipRootKey)) continue;
      if ((checkStrings && !isWellFormed(key)) || isBadScalar(object[key], checkStrings)) badKey = key;
    }
    if (badKey !== undefined) {
      if (checkStrings && !isWellFormed(badKey)) {
        return { code: 'invalid_unicode', message: `the key at ${formatPath({ value: object, depth: childDepth, parent: frame, key: badKey })} ${LONE_SURROGATE_PROBLEM}` };
      }
      return scalarProblem(object[badKey], frame, badKey);
    }
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      const key = keys[i] as string;
      if (frame.parent === undefined && key === options.skipRootKey) continue;
      const child = object[key];
      if (!isContainer(child)) continue;
      const next: Frame = { value: child, depth: childDepth, parent: frame, key };
      if (childDepth > maxDepth) return tooDeep(maxDepth, next);
      stack.push(next);
    }
  }
  return undefined;
}

/** A string or number that cannot be stored as it came; containers are the walk's business. */
function isBadScalar(child: unknown, checkStrings: boolean): boolean {
  if (typeof child === 'string') return checkStrings && !isWellFormed(child);
  return typeof child === 'number' && !Number.isFinite(child);
}

/** The error for a scalar `isBadScalar` refused. */
function scalarProblem(child: unknown, parent: Frame, key: string | number): ErrorData {
  const path = formatPath({ value: parent.value, depth: parent.depth + 1, parent, key });
  if (typeof child === 'string') return { code: 'invalid_unicode', message: `${path} ${LONE_SURROGATE_PROBLEM}` };
  return { code: 'invalid_field', message: `${path} is a number out of range: JSON numbers must be finite (at most ±1.7976931348623157e308)` };
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function tooDeep(maxDepth: number, frame: Frame): ErrorData {
  return {
    code: 'nesting_too_deep',
    message: `nesting deeper than ${maxDepth} levels at ${formatPath(frame)}`,
  };
}

/**
 * `properties.items[3].name`; the root itself is `(root)`. An unpaired surrogate in a key is
 * shown as U+FFFD: the message is logged and returned as JSON.
 */
function formatPath(frame: Frame): string {
  const parts: string[] = [];
  for (let f: Frame | undefined = frame; f !== undefined && f.key !== undefined; f = f.parent) {
    if (typeof f.key === 'number') parts.push(`[${f.key}]`);
    else parts.push(f.parent?.key === undefined ? f.key : `.${f.key}`);
  }
  if (parts.length === 0) return '(root)';
  const path = parts.reverse().join('');
  // Cutting may split a surrogate pair, so the repair comes last.
  return (path.length > MAX_PATH_CHARS ? `…${path.slice(path.length - MAX_PATH_CHARS)}` : path).toWellFormed();
}
