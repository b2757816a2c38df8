import { expect } from 'vitest';
import { DEV_AUTH } from '../support/engine-server.ts';
import { get, post, type HttpResult } from './tracking-http.ts';

/**
 * Plain-fetch helpers for the audience and computed-trait e2e files: the management API (admin
 * Bearer token), the Tracking API (dev write key) and the Profile API (dev access token), used
 * exactly as an outside client would.
 */

export type Collection = 'audiences' | 'computed-traits';

/** The management API's object (the fields the tests read; they assert whole bodies elsewhere). */
export interface DefinitionJson {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly status: string;
  readonly progress?: number;
  readonly size?: number;
  readonly enabled: boolean;
  readonly definition: { readonly query: string; readonly type: string };
  readonly updatedAt: string;
}

const ONE: Record<Collection, string> = { audiences: 'audience', 'computed-traits': 'computedTrait' };

/** Any method on a management path, admin token by default (`null` for none). */
export async function admin(baseUrl: string, method: string, path: string, body?: unknown, auth: string | null = DEV_AUTH.admin): Promise<HttpResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth !== null) headers['authorization'] = auth;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  const parsed: unknown = (response.headers.get('content-type') ?? '').includes('application/json') ? JSON.parse(text) : text;
  return { status: response.status, headers: response.headers, body: parsed };
}

/** `POST /v1/spaces/default/{collection}` → 201; returns the created object. */
export async function create(baseUrl: string, collection: Collection, body: object): Promise<DefinitionJson> {
  const result = await admin(baseUrl, 'POST', `/v1/spaces/default/${collection}`, body);
  expect({ status: result.status, body: result.body }).toMatchObject({ status: 201 });
  return (result.body as Record<string, DefinitionJson>)[ONE[collection]]!;
}

/** `GET /v1/spaces/default/{collection}/{idOrKey}` → 200; returns the object. */
export async function read(baseUrl: string, collection: Collection, idOrKey: string): Promise<DefinitionJson> {
  const result = await get(baseUrl, `/v1/spaces/default/${collection}/${encodeURIComponent(idOrKey)}`, DEV_AUTH.admin);
  expect(result.status).toBe(200);
  return (result.body as Record<string, DefinitionJson>)[ONE[collection]]!;
}

/** An audience's `size` as the management API shows it. */
export async function sizeOf(baseUrl: string, idOrKey: string): Promise<number | undefined> {
  return (await read(baseUrl, 'audiences', idOrKey)).size;
}

/** Sends one Tracking API call (`/v1/track`, `/v1/identify`, …) and expects it committed. */
export async function send(baseUrl: string, route: 'track' | 'identify' | 'page' | 'batch', body: object): Promise<void> {
  const result = await post(baseUrl, `/v1/${route}`, body);
  expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: { success: true } });
}

/** `GET …/profiles/{lookup}/traits?{query}`: status and body. `lookup` is `type:value`. */
export async function traits(baseUrl: string, lookup: string, query = ''): Promise<{ status: number; body: unknown }> {
  const colon = lookup.indexOf(':');
  const path = `${lookup.slice(0, colon)}:${encodeURIComponent(lookup.slice(colon + 1))}`;
  const result = await get(baseUrl, `/v1/spaces/default/collections/users/profiles/${path}/traits${query === '' ? '' : `?${query}`}`, DEV_AUTH.access);
  return { status: result.status, body: result.body };
}

/** Just the `traits` object of a lookup (expects 200). */
export async function traitsOf(baseUrl: string, lookup: string, query = ''): Promise<Record<string, unknown>> {
  const result = await traits(baseUrl, lookup, query);
  expect(result.status).toBe(200);
  return (result.body as { traits: Record<string, unknown> }).traits;
}

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;
export const iso = (at: number): string => new Date(at).toISOString();

/** Polls `GET …/{collection}/{idOrKey}` until the definition is `Live` (its backfill done). */
export async function untilLive(baseUrl: string, collection: Collection, idOrKey: string): Promise<DefinitionJson> {
  for (let tries = 0; tries < 200; tries++) {
    const current = await read(baseUrl, collection, idOrKey);
    if (current.status === 'Live') return current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${collection}/${idOrKey} never went Live`);
}
