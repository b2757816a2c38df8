import type { LoggedEvent, PersonLookup } from './event-log.ts';

/**
 * The profiles identity resolution must end with, from the log alone. A person is one profile,
 * except a person on two devices whose ids never met in one call: device A (anonymous `b-…`) and
 * device B (the userId) are then two profiles, as Segment's flat matching has it.
 */
export function profilesOfLog(events: readonly LoggedEvent[]): { readonly events: LoggedEvent[]; readonly lookups: PersonLookup[] } {
  const twoDevicePeople = new Set<string>();
  const joined = new Set<string>();
  for (const { person, call } of events) {
    if (call.anonymousId?.startsWith('b-') !== true) continue;
    twoDevicePeople.add(person);
    if (call.userId !== undefined) joined.add(person);
  }
  const rewritten = events.map((event) => {
    const { person, call } = event;
    if (!twoDevicePeople.has(person) || joined.has(person)) return event;
    return { ...event, person: call.userId !== undefined ? `${person}~B` : `${person}~A` };
  });
  // Looked up by userId when the profile ever carried one, else by its anonymous id.
  const lookups = new Map<string, string>();
  for (const { person, call } of rewritten) {
    if (call.userId !== undefined) lookups.set(person, `user_id:${call.userId}`);
    else if (!lookups.has(person) && call.anonymousId !== undefined) lookups.set(person, `anonymous_id:${call.anonymousId}`);
  }
  return { events: rewritten, lookups: [...lookups].map(([person, lookup]) => ({ person, lookup })) };
}
