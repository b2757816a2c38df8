import type { BlockedValueConfig, IdentifierRuleConfig, IdentityConfig } from './config.ts';
import {
  type Check,
  fail,
  indexPath,
  invalid,
  keyPath,
  readArray,
  readBoolean,
  readEnum,
  readNonEmptyString,
  readObject,
  readPositiveInteger,
  rejectUnknownKeys,
} from './config-checks.ts';
import { IDENTIFIER_FREQUENCIES, KNOWN_KEYS, SPACE_DEFAULTS } from './config-schema.ts';
import { ensureError } from '../shared/errors.ts';
import { ok } from '../shared/result.ts';

/**
 * A space's `identity` section as written; merging it with Segment's defaults is the identity
 * module's job. `raw` undefined means the section is absent.
 */
export function validateIdentity(raw: unknown, path: string): Check<IdentityConfig> {
  if (raw === undefined) return ok(SPACE_DEFAULTS.identity);
  const obj = readObject(raw, path);
  if (!obj.ok) return obj;
  const known = rejectUnknownKeys(obj.value, KNOWN_KEYS.identity, path);
  if (!known.ok) return known;

  const identifiers = validateIdentifierRules(obj.value['identifiers'], keyPath(path, 'identifiers'));
  if (!identifiers.ok) return identifiers;
  const blockedValues = validateBlockedValues(obj.value['blockedValues'], keyPath(path, 'blockedValues'));
  if (!blockedValues.ok) return blockedValues;

  const replaceRaw = obj.value['replaceDefaultBlockedValues'];
  const replace =
    replaceRaw === undefined
      ? ok(SPACE_DEFAULTS.identity.replaceDefaultBlockedValues)
      : readBoolean(replaceRaw, keyPath(path, 'replaceDefaultBlockedValues'));
  if (!replace.ok) return replace;

  return ok({ identifiers: identifiers.value, blockedValues: blockedValues.value, replaceDefaultBlockedValues: replace.value });
}

function validateIdentifierRules(raw: unknown, path: string): Check<readonly IdentifierRuleConfig[]> {
  if (raw === undefined) return ok(SPACE_DEFAULTS.identity.identifiers);
  const list = readArray(raw, path);
  if (!list.ok) return list;
  const rules: IdentifierRuleConfig[] = [];
  // A type listed twice would make "listed types override the defaults" ambiguous.
  const firstPathOfType = new Map<string, string>();
  for (const [i, item] of list.value.entries()) {
    const rule = validateIdentifierRule(item, indexPath(path, i));
    if (!rule.ok) return rule;
    const typePath = keyPath(indexPath(path, i), 'type');
    const first = firstPathOfType.get(rule.value.type);
    if (first !== undefined) return fail(typePath, `repeats ${first}: each identifier type may be listed once`);
    firstPathOfType.set(rule.value.type, typePath);
    rules.push(rule.value);
  }
  return ok(rules);
}

function validateIdentifierRule(raw: unknown, path: string): Check<IdentifierRuleConfig> {
  const obj = readObject(raw, path);
  if (!obj.ok) return obj;
  const known = rejectUnknownKeys(obj.value, KNOWN_KEYS.identifierRule, path);
  if (!known.ok) return known;
  const type = readNonEmptyString(obj.value['type'], keyPath(path, 'type'));
  if (!type.ok) return type;
  const limit = readPositiveInteger(obj.value['limit'], keyPath(path, 'limit'));
  if (!limit.ok) return limit;
  const priority = readPositiveInteger(obj.value['priority'], keyPath(path, 'priority'));
  if (!priority.ok) return priority;
  const frequencyRaw = obj.value['frequency'];
  if (frequencyRaw === undefined) return ok({ type: type.value, limit: limit.value, priority: priority.value });
  const frequency = readEnum(frequencyRaw, keyPath(path, 'frequency'), IDENTIFIER_FREQUENCIES);
  if (!frequency.ok) return frequency;
  return ok({ type: type.value, limit: limit.value, frequency: frequency.value, priority: priority.value });
}

function validateBlockedValues(raw: unknown, path: string): Check<readonly BlockedValueConfig[]> {
  if (raw === undefined) return ok(SPACE_DEFAULTS.identity.blockedValues);
  const list = readArray(raw, path);
  if (!list.ok) return list;
  const values: BlockedValueConfig[] = [];
  for (const [i, item] of list.value.entries()) {
    const value = validateBlockedValue(item, indexPath(path, i));
    if (!value.ok) return value;
    values.push(value.value);
  }
  return ok(values);
}

function validateBlockedValue(raw: unknown, path: string): Check<BlockedValueConfig> {
  if (typeof raw === 'string') return readNonEmptyString(raw, path);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return invalid(path, 'a non-empty string or an object { "regex": "..." }', raw);
  }
  const obj = readObject(raw, path);
  if (!obj.ok) return obj;
  const known = rejectUnknownKeys(obj.value, KNOWN_KEYS.blockedValue, path);
  if (!known.ok) return known;
  const regexPath = keyPath(path, 'regex');
  const source = readNonEmptyString(obj.value['regex'], regexPath);
  if (!source.ok) return source;
  // Compiled here only to fail at start-up rather than on the first event; the identity module
  // compiles its own copy. No flags: the config format has none.
  try {
    new RegExp(source.value);
  } catch (e) {
    return fail(regexPath, `must be a valid regular expression: ${ensureError(e).message}`);
  }
  return ok({ regex: source.value });
}
