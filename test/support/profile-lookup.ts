import { DEV_AUTH } from './engine-server.ts';

/**
 * Reads profiles back through the public Profile API, as an outside client would: HTTP Basic with
 * the development access token, the default space, `{id_type}:{value}` lookups.
 */

/** One item of `GET …/events` `data[]` (the fields the e2e tests look at). */
export interface ProfileEvent {
  readonly type: string;
  readonly event: string;
  readonly message_id: string;
  readonly source_id: string;
  readonly timestamp: string;
  readonly properties: Record<string, unknown>;
  readonly context: Record<string, unknown>;
  readonly related: { readonly users: string };
}

interface EventsPage {
  readonly data: ProfileEvent[];
  readonly cursor: { readonly has_more: boolean; readonly next: string; readonly limit: number };
}

export interface LookupResult<T> {
  readonly status: number;
  readonly body: T;
}

/** `lookup` is `{id_type}:{value}`; the value is URL-encoded, the colon is kept as Segment shows it. */
function profileUrl(baseUrl: string, lookup: string, resource: string, space: string): string {
  const colon = lookup.indexOf(':');
  const path = colon === -1 ? encodeURIComponent(lookup) : `${lookup.slice(0, colon)}:${encodeURIComponent(lookup.slice(colon + 1))}`;
  return `${baseUrl}/v1/spaces/${space}/collections/users/profiles/${path}/${resource}`;
}

async function getJson<T>(url: string): Promise<LookupResult<T>> {
  const response = await fetch(url, { headers: { authorization: DEV_AUTH.access }, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as T };
}

/** `GET …/traits?limit=200` (every trait of a test profile fits one page). */
export async function fetchTraits(baseUrl: string, lookup: string, space = 'default'): Promise<LookupResult<{ traits: Record<string, unknown> }>> {
  return getJson(`${profileUrl(baseUrl, lookup, 'traits', space)}?limit=200`);
}

/** One page of `GET …/events`; `query` is appended as is (`limit=100&sort=asc`). */
export async function fetchEventsPage(baseUrl: string, lookup: string, query = '', space = 'default'): Promise<LookupResult<EventsPage>> {
  return getJson(`${profileUrl(baseUrl, lookup, 'events', space)}${query === '' ? '' : `?${query}`}`);
}

/**
 * Every event the API serves for a profile (its 14-day window), newest first, following
 * `cursor.next` at the maximum page size. Bounded: a page loop that does not end is a failure,
 * not a hang. A profile that does not exist yields no events.
 */
export async function fetchAllEvents(baseUrl: string, lookup: string, maxPages = 100, space = 'default'): Promise<ProfileEvent[]> {
  const all: ProfileEvent[] = [];
  let next = '';
  for (let page = 0; page < maxPages; page++) {
    const query = `limit=100${next === '' ? '' : `&next=${encodeURIComponent(next)}`}`;
    const { status, body } = await fetchEventsPage(baseUrl, lookup, query, space);
    if (status === 404) return all;
    if (status !== 200) throw new Error(`GET events for ${lookup} answered ${status}: ${JSON.stringify(body)}`);
    all.push(...body.data);
    if (!body.cursor.has_more) return all;
    next = body.cursor.next;
  }
  throw new Error(`events of ${lookup} did not end within ${maxPages} pages`);
}
