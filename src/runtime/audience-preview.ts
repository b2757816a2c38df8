import { randomUUID } from 'node:crypto';
import type { DefinitionAst, DefinitionTarget } from '../definitions/ast.ts';
import type { DefinitionOptions } from '../definitions/definition-record.ts';
import { AppError } from '../shared/errors.ts';
import type { EpochMs } from '../shared/ids.ts';
import { historyStart } from './definition-backfill.ts';
import type { PreviewMember } from './shard/shard-protocol.ts';
import type { ShardPool } from './shard-pool.ts';

/** Where a preview stops: after this many events replayed, or this much time spent. */
export interface PreviewLimits {
  readonly events: number;
  readonly ms: number;
}

export const DEFAULT_PREVIEW_LIMITS: PreviewLimits = { events: 5_000_000, ms: 10_000 };
/** The most a request may ask for: a preview runs between live deliveries and must stay short. */
export const MAX_PREVIEW_LIMITS: PreviewLimits = { events: 50_000_000, ms: 60_000 };
/** Members named in a preview's answer. */
export const PREVIEW_SAMPLE_SIZE = 10;
/** Profiles per chunk: one shard task, so a live delivery waits behind one chunk at most. */
const CHUNK_PROFILES = 200;

export interface PreviewRequest {
  readonly ast: DefinitionAst;
  readonly target: DefinitionTarget;
  readonly options: DefinitionOptions;
  /** The instant asked about; the engine's now when absent. */
  readonly at?: EpochMs;
  readonly limits: PreviewLimits;
}

export interface PreviewOutcome {
  /** Members found (of the profiles evaluated, when partial). */
  readonly size: number;
  /** Up to `PREVIEW_SAMPLE_SIZE` members, by profile id. */
  readonly sample: readonly PreviewMember[];
  readonly evaluatedEvents: number;
  readonly evaluatedProfiles: number;
  readonly ms: number;
  readonly at: EpochMs;
  /** True when a limit stopped it before every profile was evaluated. */
  readonly partial: boolean;
  readonly stoppedBy?: 'events' | 'time';
}

/**
 * An audience preview: every shard answers its profiles of the space from their stored history,
 * chunk by chunk and in parallel, as creating the audience now would, at `at`. Nothing is created
 * or written. `elapsedMs` is the work's own wall time (not the engine's clock, which may be a
 * manual one): the time limit bounds how long the shards are kept busy.
 */
export async function runPreview(pool: ShardPool, spaceId: string, request: PreviewRequest, now: EpochMs, elapsedMs: () => number): Promise<PreviewOutcome> {
  const at = request.at ?? now;
  if (at < now) throw new AppError('invalid_body', `\`at\` (${new Date(at).toISOString()}) is before the engine's current time (${new Date(now).toISOString()}); a preview looks at now or later.`);
  const fromTimestamp = historyStart(request.options, now);
  const base = {
    preview: randomUUID(),
    spaceId,
    collection: request.target === 'ACCOUNTS' ? ('accounts' as const) : ('users' as const),
    ast: request.ast,
    includeAnonymousUsers: request.options.includeAnonymousUsers,
    replay: request.options.includeHistoricalData,
    ...(fromTimestamp === undefined ? {} : { fromTimestamp }),
    limit: CHUNK_PROFILES,
    now,
    at,
    sampleSize: PREVIEW_SAMPLE_SIZE,
  };
  let size = 0;
  let events = 0;
  let profiles = 0;
  let stoppedBy: 'events' | 'time' | undefined;
  const sample: PreviewMember[] = [];
  const stopAfter = (): 'events' | 'time' | undefined => (events >= request.limits.events ? 'events' : elapsedMs() >= request.limits.ms ? 'time' : undefined);
  await Promise.all(
    Array.from({ length: pool.count }, async (_, shard) => {
      let after: string | undefined;
      for (;;) {
        const eventBudget = Math.max(1, request.limits.events - events);
        const result = await pool.preview(shard, after === undefined ? { ...base, eventBudget } : { ...base, eventBudget, after });
        size += result.members;
        events += result.events;
        profiles += result.profiles;
        sample.push(...result.sample);
        if (result.next === undefined) return;
        after = result.next;
        stoppedBy ??= stopAfter();
        if (stoppedBy !== undefined) return;
      }
    }),
  );
  sample.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    size,
    sample: sample.slice(0, PREVIEW_SAMPLE_SIZE),
    evaluatedEvents: events,
    evaluatedProfiles: profiles,
    ms: Math.round(elapsedMs()),
    at,
    partial: stoppedBy !== undefined,
    ...(stoppedBy === undefined ? {} : { stoppedBy }),
  };
}
