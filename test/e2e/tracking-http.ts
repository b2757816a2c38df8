import { expect } from 'vitest';
import { DEV_AUTH } from '../support/engine-server.ts';
import type { ProfileEvent } from '../support/profile-lookup.ts';

/**
 * Plain-fetch helpers shared by the tracking, admin-clock and health e2e files: they talk to a
 * running test server exactly as an outside client would, and hand back status, headers and body.
 */

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON when the body is JSON, else the text. */
  readonly body: unknown;
}

export interface PostOptions {
  /** `Authorization` header; the dev write key by default, `null` for none. */
  readonly auth?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Bytes go on the wire as given; a string is sent as is; anything else is JSON-encoded. */
export type RequestBody = string | Uint8Array | object;

export async function post(baseUrl: string, path: string, body: RequestBody, options: PostOptions = {}): Promise<HttpResult> {
  const auth = options.auth === undefined ? DEV_AUTH.write : options.auth;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (auth !== null) headers['authorization'] = auth;
  const payload = typeof body === 'string' ? body : body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body);
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers, body: payload });
  return read(response);
}

export async function get(baseUrl: string, path: string, auth?: string): Promise<HttpResult> {
  const response = await fetch(`${baseUrl}${path}`, auth === undefined ? {} : { headers: { authorization: auth } });
  return read(response);
}

async function read(response: Response): Promise<HttpResult> {
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('application/json')) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body };
}

/**
 * The one error body shape (contract "Errors"): exactly `error.code` and `error.message`. The
 * message is free text for people, so only its presence is held; the code is held exactly.
 */
export function errorBody(code: string): { error: { code: string; message: unknown } } {
  return { error: { code, message: expect.stringMatching(/\S/) } };
}

export const SUCCESS = { success: true } as const;

export type { ProfileEvent } from '../support/profile-lookup.ts';

const PROFILES = '/v1/spaces/default/collections/users/profiles';

/** `GET …/user_id:{id}/events?limit=100`: the stored events, or undefined when there is no profile. */
export async function eventsOf(baseUrl: string, userId: string, query = 'limit=100'): Promise<ProfileEvent[] | undefined> {
  const result = await get(baseUrl, `${PROFILES}/user_id:${encodeURIComponent(userId)}/events?${query}`, DEV_AUTH.access);
  if (result.status === 404) return undefined;
  expect(result.status).toBe(200);
  return (result.body as { data: ProfileEvent[] }).data;
}

/** `GET …/user_id:{id}/traits?limit=200`: the visible traits, or undefined when there is no profile. */
export async function traitsOf(baseUrl: string, userId: string): Promise<Record<string, unknown> | undefined> {
  const result = await get(baseUrl, `${PROFILES}/user_id:${encodeURIComponent(userId)}/traits?limit=200`, DEV_AUTH.access);
  if (result.status === 404) return undefined;
  expect(result.status).toBe(200);
  return (result.body as { traits: Record<string, unknown> }).traits;
}

/** After a refused request the process must go on serving: a valid track right after → 200. */
export async function expectStillServing(baseUrl: string): Promise<void> {
  const result = await post(baseUrl, '/v1/track', { userId: 'still-serving', event: 'Ping' });
  expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: SUCCESS });
}

/** Moves a manual clock by `advanceMs` (0 reads it) and returns the engine's time in epoch ms. */
export async function advanceClock(baseUrl: string, advanceMs: number): Promise<number> {
  const result = await post(baseUrl, '/v1/admin/clock', { advanceMs }, { auth: DEV_AUTH.admin });
  expect(result.status).toBe(200);
  return Date.parse((result.body as { now: string }).now);
}
