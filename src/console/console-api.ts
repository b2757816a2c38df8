import type { DestinationStatus } from '../runtime/sync/sync-service.ts';
import type { AuditEntry, SyncRecord } from '../store/sync-records.ts';
import type { ConsoleSession } from './console-session.ts';

/**
 * A record as the API sends it: the engine's own type (so the two cannot drift), with its epoch
 * instants as ISO-8601 text.
 */
type WireTimes<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]: string };

/** The engine's own HTTP app, called in process: the console sees exactly what the public API answers. */
export type ApiRequest = (path: string, init: RequestInit) => Response | Promise<Response>;

export interface ApiAnswer<T> {
  readonly status: number;
  readonly body: T;
}

/**
 * Calls the public API as the signed-in admin, or (`as: 'access'`) with the session's access
 * token, which the Profile API takes (HTTP Basic, as Segment's).
 */
export async function callApi<T>(request: ApiRequest, session: ConsoleSession, path: string, init: { method?: string; body?: unknown; as?: 'admin' | 'access' } = {}): Promise<ApiAnswer<T>> {
  const authorization = init.as === 'access' ? `Basic ${Buffer.from(`${session.accessToken ?? ''}:`, 'utf8').toString('base64')}` : `Bearer ${session.token}`;
  const headers: Record<string, string> = { authorization };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await request(path, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
  const text = await response.text();
  const body = (text === '' ? null : JSON.parse(text)) as T;
  return { status: response.status, body };
}

/** `/v1/spaces/{space}` with the space's id escaped. */
export function spacePath(session: ConsoleSession, rest: string): string {
  return `/v1/spaces/${encodeURIComponent(session.space)}${rest}`;
}

/** The API's error body. */
export interface ApiError {
  readonly error: { readonly code: string; readonly message: string };
}

/** An audience or computed trait as the management API shows it (the fields the console reads). */
export interface DefinitionJson {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly description: string | null;
  readonly definition: { readonly query: string; readonly type: string };
  readonly enabled: boolean;
  readonly status: string;
  readonly progress?: number;
  readonly reason?: string;
  readonly size?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DestinationJson {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly settings: { readonly url: string };
}

/** A row of `…/syncs`: the sync log's record, its instant as ISO text. */
export type SyncJson = WireTimes<SyncRecord, 'at'>;

/** An entry of `…/audit`: the audit record, its instant as ISO text. */
export type AuditJson = WireTimes<AuditEntry, 'at'>;

/** `POST …/validate`: a query's check. */
export type CheckJson =
  | { readonly valid: true; readonly reads: { readonly events: readonly string[]; readonly traits: readonly string[] } }
  | { readonly valid: false; readonly error: { readonly code: string; readonly message: string; readonly line?: number; readonly column?: number } };

/** A page of an audience's members. */
export interface MembersJson {
  readonly members: ReadonlyArray<{ readonly id: string; readonly identifiers: ReadonlyArray<{ readonly type: string; readonly value: string }> }>;
  readonly cursor: { readonly has_more: boolean; readonly next: string | null };
}

/** The Profile API's answers the profile page reads. */
export interface TraitsJson {
  readonly traits: Record<string, unknown>;
}

export interface ExternalIdsJson {
  readonly data: ReadonlyArray<{ readonly id: string; readonly type: string; readonly created_at: string }>;
}

export interface EventsJson {
  readonly data: ReadonlyArray<{ readonly event: string; readonly type: string; readonly timestamp: string; readonly message_id: string; readonly properties: Record<string, unknown> }>;
}

/** `GET …/destinations/{id}/status`: the sync actor's status, its instants as ISO text. */
export type DestinationStatusJson = Omit<DestinationStatus, 'lastDeliveredAt' | 'lastFailure'> & {
  readonly lastDeliveredAt: string | null;
  readonly lastFailure: { readonly at: string; readonly error: string } | null;
};

/** `GET …/profiles/{id}/merges`: the profile's creation and the profiles merged into it, instants as ISO text. */
export interface MergesJson {
  readonly profile: { readonly id: string; readonly createdAt: string | null };
  readonly mergedFrom: ReadonlyArray<{ readonly id: string; readonly createdAt: string | null; readonly identifiers: ReadonlyArray<{ readonly type: string; readonly value: string }> }>;
}
