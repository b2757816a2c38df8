import { expect } from 'vitest';
import type { TestServer } from '../support/engine-server.ts';
import type { ReceivedRequest, WebhookReceiver } from '../support/webhook-receiver.ts';
import { admin, type Collection } from './definitions-http.ts';

/** Helpers for the sync e2e files: destinations and connections through the management API. */

export interface DestinationJson {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly settings: Record<string, unknown>;
}

/** `POST /v1/spaces/default/destinations` → 201; the created destination. */
export async function createDestination(baseUrl: string, name: string, settings: Record<string, unknown>): Promise<DestinationJson> {
  const result = await admin(baseUrl, 'POST', '/v1/spaces/default/destinations', { name, type: 'webhook', settings });
  expect({ status: result.status, body: result.body }).toMatchObject({ status: 201 });
  return (result.body as { destination: DestinationJson }).destination;
}

export async function readDestination(baseUrl: string, id: string): Promise<DestinationJson> {
  const result = await admin(baseUrl, 'GET', `/v1/spaces/default/destinations/${id}`);
  expect(result.status).toBe(200);
  return (result.body as { destination: DestinationJson }).destination;
}

/** `PUT …/{collection}/{id}/destinations/{destinationId}` → 200. */
export async function connect(baseUrl: string, collection: Collection, definitionId: string, destinationId: string, format: 'identify' | 'track'): Promise<void> {
  const result = await admin(baseUrl, 'PUT', `/v1/spaces/default/${collection}/${definitionId}/destinations/${destinationId}`, { format });
  expect({ status: result.status, body: result.body }).toMatchObject({ status: 200 });
}

export interface SyncJson {
  readonly at: string;
  readonly destinationId: string;
  readonly messageId: string;
  readonly status: 'delivered' | 'retrying' | 'failed';
  readonly attempts: number;
  readonly lastError: string | null;
}

export async function syncsOf(baseUrl: string, collection: Collection, definitionId: string): Promise<SyncJson[]> {
  const result = await admin(baseUrl, 'GET', `/v1/spaces/default/${collection}/${definitionId}/syncs`);
  expect(result.status).toBe(200);
  return (result.body as { syncs: SyncJson[] }).syncs;
}

export async function auditOf(baseUrl: string): Promise<Array<Record<string, unknown>>> {
  const result = await admin(baseUrl, 'GET', '/v1/spaces/default/audit');
  expect(result.status).toBe(200);
  return (result.body as { entries: Array<Record<string, unknown>> }).entries;
}

/** Waits until every message the engine could send now has been answered (the sync actor is idle). */
export async function syncSettled(server: TestServer): Promise<void> {
  await server.engine.destinations.idle();
  await server.engine.sync.idle();
}

/** The JSON bodies a receiver got, in arrival order. */
export function bodies(receiver: WebhookReceiver, path?: string): Array<Record<string, unknown>> {
  return receiver.requests.filter((r: ReceivedRequest) => path === undefined || r.path === path).map((r) => r.json as Record<string, unknown>);
}

/** Polls `check` until it passes (or the deadline, then its last failure is thrown). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
