import type { JsonObject } from '../../shared/json.ts';
import type { AuditEntry, SyncRecord } from '../../store/sync-records.ts';
import type { ConnectionRecord, DestinationRecord } from '../../sync/destination-record.ts';
import { redactHeaders, redactSecret } from '../../sync/redact.ts';

/**
 * A destination as the management API shows it. Header values and the signing secret are
 * secrets: only their last characters are shown, never the whole value.
 */
export function destinationJson(record: DestinationRecord): JsonObject {
  const { settings } = record;
  return {
    id: record.id,
    name: record.name,
    type: record.type,
    settings: {
      url: settings.url,
      headers: redactHeaders(settings.headers),
      sendAliasOnMerge: settings.sendAliasOnMerge,
      secret: settings.secret === undefined ? null : redactSecret(settings.secret),
      timeoutMs: settings.timeoutMs,
    },
    enabled: record.enabled,
    disabledReason: record.disabledReason ?? null,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

export function connectionJson(connection: ConnectionRecord): JsonObject {
  return {
    definitionId: connection.definitionId,
    destinationId: connection.destinationId,
    format: connection.format,
    connectedAt: new Date(connection.connectedAt).toISOString(),
  };
}

export function syncJson(record: SyncRecord): JsonObject {
  return { ...record, at: new Date(record.at).toISOString() };
}

export function auditJson(entry: AuditEntry): JsonObject {
  return { ...entry, at: new Date(entry.at).toISOString() };
}
