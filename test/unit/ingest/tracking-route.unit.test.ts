import { describe, expect, it } from 'vitest';
import { trackingRouteFromPath } from '../../../src/ingest/tracking-route.ts';

describe('trackingRouteFromPath', () => {
  it.each([
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
  ])('maps /v1/%s to %s', (segment, route) => {
    expect(trackingRouteFromPath(segment)).toBe(route);
  });

  it.each(['x', 'Track', '', 'constructor', '__proto__', 'toString'])('knows nothing of %j', (segment) => {
    expect(trackingRouteFromPath(segment)).toBeUndefined();
  });
});
