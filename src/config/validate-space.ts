import type { SourceConfig, SpaceConfig } from './config.ts';
import {
  type Check,
  fail,
  indexPath,
  invalid,
  keyPath,
  readArray,
  readBoolean,
  readNonEmptyString,
  readObject,
  readStringList,
  rejectUnknownKeys,
} from './config-checks.ts';
import { KNOWN_KEYS, SPACE_DEFAULTS, SPACE_ID_PATTERN } from './config-schema.ts';
import { deriveSourceId } from './source-id.ts';
import { validateIdentity } from './validate-identity.ts';
import { asSpaceId } from '../shared/ids.ts';
import { identifierValueError } from '../shared/key-bounds.ts';
import { err, ok } from '../shared/result.ts';

/** One entry of `spaces`, on its own; uniqueness across spaces is checked by `validateConfig`. */
export function validateSpace(raw: unknown, path: string): Check<SpaceConfig> {
  const obj = readObject(raw, path);
  if (!obj.ok) return obj;
  const known = rejectUnknownKeys(obj.value, KNOWN_KEYS.space, path);
  if (!known.ok) return known;
  const o = obj.value;

  const idPath = keyPath(path, 'id');
  const id = readNonEmptyString(o['id'], idPath);
  if (!id.ok) return id;
  // The id appears in URLs and LMDB keys, hence the conservative alphabet.
  if (!SPACE_ID_PATTERN.test(id.value)) {
    return fail(idPath, `must match ${String(SPACE_ID_PATTERN)} (letters, digits, _ and -, at most 64), got ${JSON.stringify(id.value.slice(0, 80))}`);
  }

  const writeKeys = validateWriteKeys(o['writeKeys'], keyPath(path, 'writeKeys'));
  if (!writeKeys.ok) return writeKeys;
  const accessTokens = readStringList(o['accessTokens'], keyPath(path, 'accessTokens'));
  if (!accessTokens.ok) return accessTokens;
  const adminTokens = readStringList(o['adminTokens'], keyPath(path, 'adminTokens'));
  if (!adminTokens.ok) return adminTokens;

  const notifyRaw = o['notifyTransientFailures'];
  const notify =
    notifyRaw === undefined ? ok(SPACE_DEFAULTS.notifyTransientFailures) : readBoolean(notifyRaw, keyPath(path, 'notifyTransientFailures'));
  if (!notify.ok) return notify;
  const identity = validateIdentity(o['identity'], keyPath(path, 'identity'));
  if (!identity.ok) return identity;
  const suppressedRaw = o['suppressedUserIds'];
  const suppressed =
    suppressedRaw === undefined ? ok(SPACE_DEFAULTS.suppressedUserIds) : readStringList(suppressedRaw, keyPath(path, 'suppressedUserIds'));
  if (!suppressed.ok) return suppressed;
  // Suppressions are userIds: bounded like every identifier (shared/key-bounds.ts), so one that
  // ingestion could never accept is a typo, and DELETE …/suppressions/{userId} can bound its key.
  for (const [i, userId] of suppressed.value.entries()) {
    const userIdPath = indexPath(keyPath(path, 'suppressedUserIds'), i);
    const refusal = identifierValueError(userId, userIdPath);
    if (refusal !== undefined) return err({ key: userIdPath, message: refusal.message });
  }

  return ok({
    id: asSpaceId(id.value),
    writeKeys: writeKeys.value,
    accessTokens: accessTokens.value,
    adminTokens: adminTokens.value,
    notifyTransientFailures: notify.value,
    identity: identity.value,
    suppressedUserIds: suppressed.value,
  });
}

function validateWriteKeys(raw: unknown, path: string): Check<readonly SourceConfig[]> {
  const list = readArray(raw, path);
  if (!list.ok) return list;
  // A space nobody can write to is almost certainly a mistake in the file, not an intent.
  if (list.value.length === 0) return fail(path, 'must list at least one write key');
  const sources: SourceConfig[] = [];
  for (const [i, item] of list.value.entries()) {
    const source = validateWriteKey(item, indexPath(path, i));
    if (!source.ok) return source;
    sources.push(source.value);
  }
  return ok(sources);
}

/** A string (its source id derived from it) or `{ key, sourceId, name? }`; `name` defaults to the source id. */
function validateWriteKey(raw: unknown, path: string): Check<SourceConfig> {
  if (typeof raw === 'string') {
    const key = readNonEmptyString(raw, path);
    if (!key.ok) return key;
    const sourceId = deriveSourceId(key.value);
    return ok({ key: key.value, sourceId, name: sourceId });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return invalid(path, 'a non-empty string or an object { "key", "sourceId", "name"? }', raw);
  }
  const obj = readObject(raw, path);
  if (!obj.ok) return obj;
  const known = rejectUnknownKeys(obj.value, KNOWN_KEYS.writeKey, path);
  if (!known.ok) return known;
  const key = readNonEmptyString(obj.value['key'], keyPath(path, 'key'));
  if (!key.ok) return key;
  const sourceId = readNonEmptyString(obj.value['sourceId'], keyPath(path, 'sourceId'));
  if (!sourceId.ok) return sourceId;
  const nameRaw = obj.value['name'];
  const name = nameRaw === undefined ? ok(sourceId.value) : readNonEmptyString(nameRaw, keyPath(path, 'name'));
  if (!name.ok) return name;
  return ok({ key: key.value, sourceId: sourceId.value, name: name.value });
}
