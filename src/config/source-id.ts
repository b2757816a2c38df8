import { createHash } from 'node:crypto';

/**
 * The source id of a bare-string write key (contract "Details fixed"): `src_` + the first 12 hex
 * digits of the key's SHA-256. A pure function of the key, so it is stable across restarts and
 * machines, and a key cannot be recovered from it.
 *
 * @example deriveSourceId('dev-write-key') // 'src_' + sha256('dev-write-key').slice(0, 12)
 */
export function deriveSourceId(writeKey: string): string {
  return `src_${createHash('sha256').update(writeKey, 'utf8').digest('hex').slice(0, 12)}`;
}
