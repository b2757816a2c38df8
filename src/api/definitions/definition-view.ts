import type { PreviewOutcome } from '../../runtime/audience-preview.ts';
import type { DefinitionView } from '../../runtime/definition-registry.ts';
import type { JsonObject } from '../../shared/json.ts';

/**
 * An audience or computed trait as the management API shows it. `progress` appears only while
 * `Computing`, `reason` only when `Failed`; `size` (the current member count) only on audiences.
 * `description` and `options.backfillEventDataDays` are null when not set, so every response has
 * the same fields and a GET body can be sent back as a create body.
 */
export function definitionJson({ record, size }: DefinitionView): JsonObject {
  const { lifecycle, options } = record;
  return {
    id: record.id,
    key: record.key,
    name: record.name,
    description: record.description ?? null,
    definition: { query: record.query, type: record.target },
    enabled: record.enabled,
    status: lifecycle.status,
    ...(lifecycle.status === 'Computing' ? { progress: lifecycle.progress ?? 0 } : {}),
    ...(lifecycle.status === 'Failed' ? { reason: lifecycle.reason ?? 'unknown failure' } : {}),
    ...(size === undefined ? {} : { size }),
    options: {
      includeHistoricalData: options.includeHistoricalData,
      backfillEventDataDays: options.backfillEventDataDays ?? null,
      includeAnonymousUsers: options.includeAnonymousUsers,
    },
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
}

/**
 * A preview as the API answers it: `size`, a `sample` of members (profile id and identifiers,
 * each id usable as a Profile API lookup id), the work done, the instant, and `partial` with the
 * limit that stopped it.
 */
export function previewJson(outcome: PreviewOutcome): JsonObject {
  return {
    size: outcome.size,
    sample: outcome.sample.map((member) => ({ id: member.id, identifiers: member.identifiers.map(({ type, value }) => ({ type, value })) })),
    evaluatedEvents: outcome.evaluatedEvents,
    evaluatedProfiles: outcome.evaluatedProfiles,
    ms: outcome.ms,
    at: new Date(outcome.at).toISOString(),
    partial: outcome.partial,
    ...(outcome.stoppedBy === undefined ? {} : { stoppedBy: outcome.stoppedBy }),
  };
}
