import type { EventPosition } from '../../runtime/profile-reader.ts';
import type { EpochMs } from '../../shared/ids.ts';
import type { JsonObject } from '../../shared/json.ts';
import { ok } from '../../shared/result.ts';
import { decodeEventCursor, encodeEventCursor } from './cursor.ts';
import { occurrenceName } from '../../compute/occurrence.ts';
import { eventView } from './event-view.ts';
import type { ProfileResource } from './profile-resource.ts';
import { invalidParam, readChoice, readIsoTime, readLimit, readList } from './query-params.ts';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;
/** Only the last 14 days are served (Segment product limit; contract "Details fixed"). */
const WINDOW_MS = 14 * 24 * 60 * 60 * 1000;

/**
 * `GET …/events`: track, page and screen calls with `now − 14 days ≤ timestamp ≤ now`, narrowed by
 * `start`/`end`, newest first unless `sort=asc`. Pages walk the LMDB range lazily and stop one
 * match past the page, so a long history is never loaded. `next` is the (timestamp, messageId)
 * of the last item returned: a key, so resuming neither skips nor repeats events that share a
 * timestamp. The window is recomputed on each page from the clock, as Segment's would be.
 */
export const eventsResource: ProfileResource = (query) => {
  const limit = readLimit(query, { fallback: DEFAULT_LIMIT, max: MAX_LIMIT });
  if (!limit.ok) return limit;
  const sort = readChoice(query, 'sort', ['asc', 'desc'] as const);
  if (!sort.ok) return sort;
  const start = readIsoTime(query, 'start');
  if (!start.ok) return start;
  const end = readIsoTime(query, 'end');
  if (!end.ok) return end;
  const include = readList(query, 'include');
  const exclude = readList(query, 'exclude');
  const next = query.get('next');
  const after = next === null || next === '' ? undefined : decodeEventCursor(next);
  if (next !== null && next !== '' && after === undefined) return invalidParam('next', 'is not a cursor this API returned');

  return ok((profile, { reader, now, url }) => {
    const scan = {
      from: latest(now - WINDOW_MS, start.value),
      to: earliest(now, end.value),
      order: sort.value ?? 'desc',
      ...(after === undefined ? {} : { after }),
    };
    const data: JsonObject[] = [];
    let last: EventPosition | undefined;
    let hasMore = false;
    for (const event of reader.events(profile, scan)) {
      // The events Engage audiences match on: identify, group and alias calls are not events here.
      const name = occurrenceName(event);
      if (name === undefined || (include !== undefined && !include.has(name)) || exclude?.has(name) === true) continue;
      if (data.length === limit.value) {
        hasMore = true;
        break;
      }
      data.push(eventView(event, name, profile.id));
      last = { timestamp: event.timestamp, messageId: event.messageId };
    }
    return {
      data,
      cursor: { url, has_more: hasMore, next: hasMore && last !== undefined ? encodeEventCursor(last) : '', limit: limit.value },
    };
  });
};

function latest(bound: EpochMs, given: EpochMs | undefined): EpochMs {
  return given === undefined ? bound : Math.max(bound, given);
}

function earliest(bound: EpochMs, given: EpochMs | undefined): EpochMs {
  return given === undefined ? bound : Math.min(bound, given);
}
