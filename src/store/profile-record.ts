import { Packr, unpackMultiple } from 'msgpackr';
import type { ProfileState, TraitEntry } from '../actors/profile-state.ts';
import type { Json } from '../shared/json.ts';
import type { ComputeLag } from './compute-records.ts';

/**
 * A profile as stored in `profiles`: its state without the definition states (rows of `compute`),
 * with the answers of its definitions (audience and computed trait keys) apart from its other
 * traits, as `answers`: one msgpack value per answer, `[key, value, updatedAt, sourceId]`,
 * concatenated. A profile has an answer per live definition, and encoding seventy small trait
 * objects on every event cost more than the rest of the commit; the runtime keeps each answer's
 * bytes and re-encodes only the answers an event changed. While its definition states are written
 * behind, the record also says which of its events lag (`computeLag`).
 */
export type StoredProfile = Omit<ProfileState, 'compute'> & {
  readonly answers?: Uint8Array;
  readonly computeLag?: ComputeLag;
};

type AnswerTuple = [key: string, value: Json, updatedAt: number, sourceId: string];

/** Plain arrays, no shared record structures: an answer's bytes decode on their own, in any record. */
const answerPackr = new Packr({ useRecords: false });

export function encodeAnswer(key: string, entry: TraitEntry): Uint8Array {
  return answerPackr.pack([key, entry.value, entry.updatedAt, entry.sourceId] satisfies AnswerTuple);
}

/** The profile state a stored record holds (definition states aside), and its lag, if any. */
export function readStoredProfile(stored: StoredProfile): { readonly state: ProfileState; readonly computeLag: ComputeLag | undefined } {
  const { answers, computeLag, ...record } = stored;
  if (answers === undefined || answers.length === 0) return { state: record, computeLag };
  const traits: Record<string, TraitEntry> = { ...record.traits };
  for (const [key, value, updatedAt, sourceId] of unpackMultiple(answers) as AnswerTuple[]) traits[key] = { value, updatedAt, sourceId };
  return { state: { ...record, traits }, computeLag };
}
