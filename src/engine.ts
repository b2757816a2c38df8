import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { createConsoleApp } from './console/console-app.ts';
import { createOpenApiApp } from './api/openapi-app.ts';
import { audienceMembers } from './runtime/audience-members.ts';
import { createSizeSampler } from './runtime/size-sampler.ts';
import { profileMerges } from './runtime/profile-merges.ts';
import type { Logger } from 'pino';
import type { ActorEffect } from './actors/actor-message.ts';
import { createAdminApp } from './api/admin-app.ts';
import type { AppEnv } from './api/app-env.ts';
import { createDefinitionsApp } from './api/definitions-app.ts';
import { createDestinationsApp } from './api/destinations-app.ts';
import { createDestinationRegistry, type DestinationRegistry } from './runtime/destination-registry.ts';
import { createPublication } from './runtime/publication.ts';
import { createSyncLog } from './runtime/sync/sync-log.ts';
import { createSyncService, type SyncService } from './runtime/sync/sync-service.ts';
import { WriteBatcher } from './runtime/sync/write-batcher.ts';
import { errorResponse } from './api/error-response.ts';
import { createHealthApp } from './api/health-app.ts';
import { createIdentityAdminApp } from './api/identity-admin-app.ts';
import { createOnError } from './api/on-error.ts';
import { createProfilesApp } from './api/profiles-app.ts';
import { requestContext } from './api/request-context.ts';
import { createTrackingApp } from './api/tracking-app.ts';
import type { Config } from './config/config.ts';
import { createManualClock, createSystemClock, type Clock, type ManualClock } from './shared/clock.ts';
import type { EpochMs } from './shared/ids.ts';
import { lockDataDir } from './store/data-dir-lock.ts';
import { openEngineStore, type EngineStore } from './store/engine-store.ts';
import { createDefinitionRegistry, type DefinitionRegistry } from './runtime/definition-registry.ts';
import { createAccountDeletion } from './runtime/account-deletion.ts';
import { createDedupSweeper, type DedupSweeper } from './runtime/dedup-sweeper.ts';
import { createDispatchSequencer } from './runtime/dispatch-sequencer.ts';
import { createIdentityGraphStore } from './runtime/identity-graph-store.ts';
import { createIngestService, type IngestService } from './runtime/ingest-service.ts';
import { createInsightsLog } from './runtime/insights-log.ts';
import { createEngineMetrics, type EngineMetrics } from './runtime/metrics.ts';
import { createLearnedIdentifierTypes } from './runtime/learned-identifier-types.ts';
import { createMergeLog } from './runtime/merge-log.ts';
import { createProfileDeletion } from './runtime/profile-deletion.ts';
import { newProfileId } from './runtime/profile-id.ts';
import { createProfileReader } from './runtime/profile-reader.ts';
import { createShardPool } from './runtime/shard-pool.ts';
import { createSpaceRegistry, type SpaceRegistry } from './runtime/space-registry.ts';
import { createSuppressions } from './runtime/suppressions.ts';
import { createTimerDriver, type TimerDriver } from './runtime/timer-driver.ts';

export interface Engine {
  readonly app: Hono<AppEnv>;
  readonly clock: Clock;
  readonly store: EngineStore;
  readonly spaces: SpaceRegistry;
  readonly ingest: IngestService;
  readonly metrics: EngineMetrics;
  readonly timers: TimerDriver;
  readonly definitions: DefinitionRegistry;
  readonly destinations: DestinationRegistry;
  readonly sync: SyncService;
  readonly dedupSweeper: DedupSweeper;
  /** Moves a manual clock (persisting it) and fires every timer due by then. */
  advanceClockTo(now: EpochMs): Promise<readonly ActorEffect[]>;
  close(): Promise<void>;
}

const MANUAL_CLOCK_KEY = 'clock.manual.now';
/**
 * The composition root of a running engine: opens LMDB, starts the shard workers, wires the
 * services and the HTTP apps. `main.ts` serves `engine.app`; tests call `createEngine` directly.
 */
export async function createEngine(config: Config, log: Logger): Promise<Engine> {
  // Before anything opens LMDB: a second engine on the same directory must not start at all.
  const lock = lockDataDir(config.dataDir);
  try {
    return await startEngine(config, log, () => lock.release());
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startEngine(config: Config, log: Logger, releaseLock: () => void): Promise<Engine> {
  const store = openEngineStore(config.dataDir);
  const manualClock = config.clock === 'manual' ? openManualClock(store) : undefined;
  const clock: Clock = manualClock ?? createSystemClock();
  const learnedTypes = createLearnedIdentifierTypes(store.meta, log);
  // The registry publishes a version the pool stamps on every shard request; it reaches the pool
  // (for backfills) lazily, since each needs the other.
  const publication = createPublication();
  const definitions = createDefinitionRegistry({ store, pool: () => pool, clock, log, publication });
  const destinations = createDestinationRegistry({ store, clock, publication, pool: () => pool, log });
  const spaces = createSpaceRegistry(config.spaces, learnedTypes.load, config.maxCustomIdentifierTypesPerSpace);
  const pool = createShardPool({
    definitionsVersion: publication.version,
    dataDir: config.dataDir,
    shards: config.shards,
    cacheSize: config.actorCacheSize,
    // Regression (crash-durability e2e): a stale snapshot after `settle` made a known user look
    // new, so a second profile took over its identifiers.
    onCommitted: () => store.root.resetReadTxn(),
    // The sync actor exists once the pool does; shards only answer after it is built.
    onOutboxed: (destinationIds) => sync.wake(destinationIds),
  });
  const metrics = createEngineMetrics(() => pool.depths());
  const syncWrites = new WriteBatcher(store.root);
  const syncLog = createSyncLog(store, (operation) => syncWrites.write(operation));
  const sync: SyncService = createSyncService({
    store,
    clock,
    destinations,
    definitions,
    spaces,
    syncLog,
    registry: metrics.registry,
    log: log.child({ component: 'sync' }),
    shardCount: config.shards,
    writes: syncWrites,
  });
  const graph = createIdentityGraphStore(store);
  const insights = createInsightsLog(store, log);
  const suppressions = createSuppressions(store, spaces);
  const sequencer = createDispatchSequencer();
  const deleteProfile = createProfileDeletion(graph, pool, sequencer);
  const deleteAccount = createAccountDeletion(graph, pool, sequencer, clock);
  const timers = createTimerDriver(
    pool,
    clock,
    (effects) => {
      const fired = effects.filter((e) => e.type === 'timer.fired').length;
      if (fired > 0) metrics.timersFired.inc(fired);
    },
    (error) => log.error({ err: error }, 'firing timers failed'),
  );
  const ingest = createIngestService({
    store,
    pool,
    graph,
    metrics,
    timers,
    log,
    maxQueuedEventsPerShard: config.maxQueuedEventsPerShard,
    sequencer,
    newMessageId: () => `troupe-${randomUUID()}`,
    newProfileId,
    onNewIdentifierTypes: (space, types) => learnedTypes.add(space.id, types),
    onViolations: (space, event, violations) => insights.record(space.id, event, violations, event.receivedAt),
  });

  // Timers that fell due while the engine was down fire now; this also tells the driver each
  // shard's next due time.
  await timers.runDue();
  definitions.resumeBackfills();
  destinations.resumeInitialSyncs();
  const dedupSweeper = createDedupSweeper({ pool, clock, meta: store.meta, windowMs: config.dedupWindowHours * 60 * 60 * 1000, log });
  dedupSweeper.start();
  let ready = true;

  const app = new Hono<AppEnv>();
  app.use(requestContext(log));
  app.onError(createOnError({ onClientAbort: () => metrics.clientAborts.inc() }));
  app.notFound((c) => errorResponse(c, 'not_found', `No route ${c.req.method} ${c.req.path}.`));
  app.route('/', createHealthApp({ isReady: () => ready, registry: metrics.registry }));
  app.route('/', createOpenApiApp());
  app.route('/', createTrackingApp({ spaces, ingest, clock }));
  app.route('/', createProfilesApp({ spaces: config.spaces, reader: createProfileReader(store), clock, traitClasses: definitions.liveKeys }));
  app.route('/', createIdentityAdminApp({ spaces, insights, mergeLog: createMergeLog(store), suppressions, deleteProfile, deleteAccount, clock, merges: (spaceId, profileId) => profileMerges(store, spaceId, profileId) }));
  const sizeSampler = createSizeSampler({ store, clock, audiences: () => definitions.audienceSizes() });
  sizeSampler.start();
  app.route('/', createDefinitionsApp({ spaces, definitions, members: (query) => audienceMembers(store, query), sizes: (id, limit) => sizeSampler.samples(id, limit) }));
  app.route('/', createDestinationsApp({ spaces, definitions, destinations, syncLog, status: (id) => sync.status(id) }));

  async function advanceClockTo(now: EpochMs): Promise<readonly ActorEffect[]> {
    if (manualClock === undefined) throw new Error('advanceClockTo needs the manual clock');
    if (!manualClock.set(now)) throw new Error('the manual clock cannot move backwards');
    await store.meta.put(MANUAL_CLOCK_KEY, now);
    const effects = await timers.runDue();
    // Retries that fell due start now (the contract: "deliveries that fell due have been started").
    sync.runDue();
    // The whole engine runs on this clock: marks that left the window are gone when the call returns.
    await dedupSweeper.sweep();
    await sizeSampler.sample();
    return effects;
  }
  app.route('/', createAdminApp({ spaces, clock, advanceTo: async (now) => void (await advanceClockTo(now)) }));
  app.route('/', createConsoleApp({ request: (path, init) => app.request(path, init) }));

  return {
    app,
    clock,
    store,
    spaces,
    ingest,
    metrics,
    timers,
    definitions,
    destinations,
    sync,
    dedupSweeper,
    advanceClockTo,
    async close() {
      ready = false;
      timers.stop();
      await sizeSampler.stop();
      await definitions.close();
      await destinations.close();
      await sync.close();
      await dedupSweeper.stop();
      await pool.close();
      await store.close();
      releaseLock();
    },
  };
}

/** The manual clock starts at the system time on first start and is kept across restarts. */
function openManualClock(store: EngineStore): ManualClock {
  const saved = store.meta.get(MANUAL_CLOCK_KEY);
  const start = typeof saved === 'number' ? saved : Date.now();
  if (saved === undefined) store.meta.putSync(MANUAL_CLOCK_KEY, start);
  return createManualClock(start);
}
