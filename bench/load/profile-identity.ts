import type { LoggedEvent, PersonLookup } from './event-log.ts';

/**
 * The profiles identity resolution must end with, from the log alone: Segment's flat matching
 * joins calls that share an identifier (userId, anonymousId, an identify's `traits.email`), so a
 * person's profiles are the connected components of their identifiers. Most people are one
 * profile; a person on two devices whose ids never met (in one call, or through the same email)
 * is two. Events are relabelled `person~n` for the n-th profile of such a person.
 */
export function profilesOfLog(events: readonly LoggedEvent[]): { readonly events: LoggedEvent[]; readonly lookups: PersonLookup[] } {
  const parent = new Map<string, string>();
  const find = (node: string): string => {
    let root = node;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(node, root);
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const idsOf = ({ call }: LoggedEvent): string[] => {
    const ids: string[] = [];
    if (call.userId !== undefined) ids.push(`user_id:${call.userId}`);
    if (call.anonymousId !== undefined) ids.push(`anonymous_id:${call.anonymousId}`);
    const email = call.type === 'identify' ? call.traits?.['email'] : undefined;
    if (typeof email === 'string') ids.push(`email:${email}`);
    return ids;
  };
  for (const event of events) {
    const ids = idsOf(event);
    for (const id of ids) if (!parent.has(id)) parent.set(id, id);
    for (let i = 1; i < ids.length; i++) union(ids[0]!, ids[i]!);
  }
  // Each person's components, numbered in order of first appearance.
  const components = new Map<string, Map<string, number>>();
  const profileOf = (event: LoggedEvent): string => {
    const [first] = idsOf(event);
    const root = first === undefined ? '' : find(first);
    let mine = components.get(event.person);
    if (mine === undefined) {
      mine = new Map();
      components.set(event.person, mine);
    }
    if (!mine.has(root)) mine.set(root, mine.size);
    return `${event.person}~${mine.get(root)!}`;
  };
  const labelled = events.map((event) => ({ event, profile: profileOf(event) }));
  const rewritten = labelled.map(({ event, profile }) => {
    const single = components.get(event.person)!.size === 1;
    return single ? event : { ...event, person: profile };
  });
  // Looked up by userId when the profile ever carried one, else by an email, else an anonymous id.
  const lookups = new Map<string, { rank: number; lookup: string }>();
  const offer = (person: string, rank: number, lookup: string): void => {
    const current = lookups.get(person);
    if (current === undefined || rank < current.rank) lookups.set(person, { rank, lookup });
  };
  for (const { person, call } of rewritten) {
    if (call.userId !== undefined) offer(person, 0, `user_id:${call.userId}`);
    const email = call.type === 'identify' ? call.traits?.['email'] : undefined;
    if (typeof email === 'string') offer(person, 1, `email:${email}`);
    if (call.anonymousId !== undefined) offer(person, 2, `anonymous_id:${call.anonymousId}`);
  }
  return { events: rewritten, lookups: [...lookups].map(([person, { lookup }]) => ({ person, lookup })) };
}
