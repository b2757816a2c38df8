import { Agent, request } from 'undici';
import type { Json } from '../../src/shared/json.ts';
import type { PersonLookup } from './event-log.ts';

export interface Mismatch {
  readonly person: string;
  readonly key: string;
  readonly troupe: Json | undefined;
  readonly peer: Json | undefined;
}

type Answers = ReadonlyMap<string, Readonly<Record<string, Json>>>;

/**
 * Every profile's answers as Troupe serves them (Profile API `traits`, the definition keys only),
 * read with a few connections in parallel. A profile the API does not find has none.
 */
export async function readTroupeAnswers(url: string, lookups: readonly PersonLookup[], keys: ReadonlySet<string>, onProgress: (done: number) => void): Promise<Map<string, Record<string, Json>>> {
  const auth = `Basic ${Buffer.from('dev-access-token:').toString('base64')}`;
  const dispatcher = new Agent({ connections: 8 });
  const answers = new Map<string, Record<string, Json>>();
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < lookups.length) {
        const { person, lookup } = lookups[next++]!;
        const colon = lookup.indexOf(':');
        const path = `${lookup.slice(0, colon)}:${encodeURIComponent(lookup.slice(colon + 1))}`;
        const response = await request(`${url}/v1/spaces/default/collections/users/profiles/${path}/traits?limit=200`, { headers: { authorization: auth }, dispatcher });
        const body = (await response.body.json()) as { traits?: Record<string, Json> };
        const mine: Record<string, Json> = {};
        if (response.statusCode === 200) {
          for (const [key, value] of Object.entries(body.traits ?? {})) if (keys.has(key)) mine[key] = value;
        } else if (response.statusCode !== 404) {
          throw new Error(`lookup ${lookup} answered ${response.statusCode}`);
        }
        answers.set(person, mine);
        done += 1;
        if (done % 500 === 0) onProgress(done);
      }
    }),
  );
  await dispatcher.close();
  return answers;
}

/**
 * Troupe's answers against the peer's, profile by profile and key by key. An audience Troupe has
 * never written (absent) is a non-member; numbers agree within a relative 1e-9 (an average summed
 * in another order); anything else must be equal.
 */
export function diffAnswers(troupe: Answers, peer: Answers, definitions: ReadonlyArray<{ readonly key: string; readonly kind: 'audience' | 'computed_trait' }>): Mismatch[] {
  const mismatches: Mismatch[] = [];
  const people = new Set([...troupe.keys(), ...peer.keys()]);
  for (const person of people) {
    const ours = troupe.get(person) ?? {};
    const theirs = peer.get(person) ?? {};
    for (const { key, kind } of definitions) {
      const a = Object.hasOwn(ours, key) ? ours[key] : undefined;
      const b = Object.hasOwn(theirs, key) ? theirs[key] : undefined;
      const same = kind === 'audience' ? (a === true) === (b === true) : sameValue(a, b);
      if (!same) mismatches.push({ person, key, troupe: a, peer: b });
    }
  }
  return mismatches;
}

function sameValue(a: Json | undefined, b: Json | undefined): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  return JSON.stringify(a) === JSON.stringify(b);
}
