import type { EventType } from './tracked-event.ts';

/** Which tracking endpoint a request came in on. */
export type TrackingRoute = EventType | 'batch';

/**
 * URL path segment after `/v1/` → route. Includes the browser client's short forms and
 * `/v1/import`, an alias of `/v1/batch`. A Map, not an object literal, so a segment such as
 * `constructor` cannot find something on Object.prototype.
 */
export const TRACKING_ROUTE_PATHS: ReadonlyMap<string, TrackingRoute> = new Map<string, TrackingRoute>([
  ['track', 'track'],
  ['t', 'track'],
  ['identify', 'identify'],
  ['i', 'identify'],
  ['page', 'page'],
  ['p', 'page'],
  ['screen', 'screen'],
  ['s', 'screen'],
  ['group', 'group'],
  ['g', 'group'],
  ['alias', 'alias'],
  ['a', 'alias'],
  ['batch', 'batch'],
  ['b', 'batch'],
  ['import', 'batch'],
]);

/** The route for a path segment (`t`, `track`, `import` …), or undefined when it is not one. */
export function trackingRouteFromPath(segment: string): TrackingRoute | undefined {
  return TRACKING_ROUTE_PATHS.get(segment);
}
