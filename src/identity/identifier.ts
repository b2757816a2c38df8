import type { EpochMs } from '../shared/ids.ts';

/** One external id of a profile, as Segment's `external_ids`: a type (`user_id`, `email`, ...) and a value. */
export interface Identifier {
  readonly type: string;
  readonly value: string;
}

/** An identifier as held by a profile: when it was first seen, by which message and source. */
export interface IdentifierRecord extends Identifier {
  readonly addedAt: EpochMs;
  readonly firstMessageId: string;
  readonly sourceId: string;
}

/** The collection an identifier type belongs to: `group_id` names an account, everything else a user. */
export function collectionOf(type: string): 'users' | 'accounts' {
  return type === 'group_id' ? 'accounts' : 'users';
}
