import { createHash } from 'node:crypto';
import { asProfileId, type ProfileId } from '../shared/ids.ts';

/**
 * An account's profile id is derived from its space and groupId: every group call for one group
 * names the same account without consulting the identity graph, and a replay derives it again.
 */
export function accountProfileId(spaceId: string, groupId: string): ProfileId {
  return asProfileId(`acc_${createHash('sha256').update(`${spaceId}\u0000${groupId}`).digest('base64url').slice(0, 27)}`);
}
