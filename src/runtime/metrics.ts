import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The engine's Prometheus metrics, on a registry of its own (several engines can share a process in tests). */
export interface EngineMetrics {
  readonly registry: Registry;
  readonly eventsAccepted: Counter<'space'>;
  readonly eventsRejected: Counter<'space' | 'code'>;
  readonly eventsDuplicate: Counter<'space'>;
  readonly requestsOverloaded: Counter;
  readonly batchLatency: Histogram;
  readonly timersFired: Counter;
  readonly identityMerges: Counter<'space'>;
  /** Requests whose client hung up before its body arrived: the client's doing, so not logged as errors. */
  readonly clientAborts: Counter;
}

export function createEngineMetrics(queueDepths: () => readonly number[]): EngineMetrics {
  const registry = new Registry();
  const metrics: EngineMetrics = {
    registry,
    eventsAccepted: new Counter({ name: 'troupe_events_accepted_total', help: 'Events durably committed.', labelNames: ['space'], registers: [registry] }),
    eventsRejected: new Counter({ name: 'troupe_events_rejected_total', help: 'Events rejected, by error code.', labelNames: ['space', 'code'], registers: [registry] }),
    eventsDuplicate: new Counter({ name: 'troupe_events_duplicate_total', help: 'Events acknowledged but ignored because their messageId was seen before.', labelNames: ['space'], registers: [registry] }),
    requestsOverloaded: new Counter({ name: 'troupe_requests_overloaded_total', help: 'Tracking requests answered 429 because a shard queue was full.', registers: [registry] }),
    batchLatency: new Histogram({
      name: 'troupe_batch_latency_seconds',
      help: 'Time from a tracking request being parsed to its events being committed.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    timersFired: new Counter({ name: 'troupe_timers_fired_total', help: 'Actor timers that fired.', registers: [registry] }),
    identityMerges: new Counter({
      name: 'troupe_identity_merges_total',
      help: 'Profiles folded into another by identity resolution.',
      labelNames: ['space'],
      registers: [registry],
    }),
    clientAborts: new Counter({
      name: 'troupe_client_aborts_total',
      help: 'Requests whose client closed the connection before the request body arrived.',
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'troupe_shard_queue_depth',
    help: 'Messages sent to a shard and not yet committed.',
    labelNames: ['shard'],
    registers: [registry],
    collect() {
      queueDepths().forEach((depth, shard) => this.set({ shard: String(shard) }, depth));
    },
  });
  return metrics;
}
