import { workerData } from 'piscina';
import { assertNever } from '../src/shared/assert-never.ts';
import { ensureError, isAppErrorData } from '../src/shared/errors.ts';
import { createShardRuntime } from '../src/runtime/shard/shard-runtime.ts';
import type { ShardRequest, ShardResponse, ShardWorkerData } from '../src/runtime/shard/shard-protocol.ts';
import { openEngineStore } from '../src/store/engine-store.ts';
import { indexDedupChunk, sweepDedupChunk } from '../src/runtime/shard/dedup-sweep.ts';

// Thin by design: build the runtime once per thread, speak the typed protocol, and turn every
// failure into data (errors do not survive postMessage with their class or fields).
const config = workerData as ShardWorkerData;
const store = openEngineStore(config.dataDir);
const runtime = createShardRuntime({
  store,
  shardIndex: config.shardIndex,
  shardCount: config.shardCount,
  cacheSize: config.cacheSize,
});

export default async function handleShardRequest(request: ShardRequest): Promise<ShardResponse> {
  try {
    if (request.definitionsVersion !== undefined) runtime.useDefinitions(request.definitionsVersion);
    switch (request.type) {
      case 'shard.tick':
        return { ok: true, result: await runtime.tick(request.now) };
      case 'shard.deliver':
        return { ok: true, result: await runtime.deliver(request.messages, request.now, request.identityWrites) };
      case 'shard.release':
        return { ok: true, result: await runtime.release(request.profileIds) };
      case 'shard.erase':
        return { ok: true, result: await runtime.erase(request.profileId, request.identityWrites) };
      case 'shard.backfill':
        return { ok: true, result: await runtime.backfill(request) };
      case 'shard.sync-sweep':
        return { ok: true, result: await runtime.syncSweep(request) };
      case 'shard.preview':
        return { ok: true, result: runtime.preview(request) };
      case 'shard.sweep-dedup':
        return { ok: true, result: await sweepDedupChunk(store, request.cutoff, request.limit) };
      case 'shard.index-dedup':
        return { ok: true, result: await indexDedupChunk(store, request.after, request.cutoff, request.limit) };
      case 'shard.close':
        await store.close();
        return { ok: true, result: { closed: true } };
      default:
        return assertNever(request);
    }
  } catch (caught) {
    const error = ensureError(caught);
    if (isAppErrorData(error)) return { ok: false, error: { code: error.code, message: error.message, retryable: false } };
    return { ok: false, error: { code: 'internal_error', message: `shard ${config.shardIndex}: ${error.message}`, retryable: true } };
  }
}
