import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { initialDelivery, isFinal, stepDelivery, type DeliveryEvent, type DeliverySnapshot } from '../../../src/sync/delivery.machine.ts';
import type { FailedVerdict } from '../../../src/sync/retry-policy.ts';

const t0 = Date.UTC(2026, 0, 1);
const started: DeliveryEvent = { type: 'attempt.started' };
const succeeded: DeliveryEvent = { type: 'attempt.succeeded' };
const recovered: DeliveryEvent = { type: 'delivery.recovered' };
const http500: FailedVerdict = { kind: 'retry', status: 500, error: 'HTTP 500' };

function failed(verdict: FailedVerdict, retryAt: number): DeliveryEvent {
  return { type: 'attempt.failed', verdict, retryAt };
}

function run(events: readonly DeliveryEvent[], from: DeliverySnapshot = initialDelivery()): DeliverySnapshot {
  return events.reduce(stepDelivery, from);
}

describe('delivery machine', () => {
  it('starts pending with no attempts', () => {
    expect(initialDelivery()).toStrictEqual({ status: 'pending', attempts: 0 });
    expect(isFinal(initialDelivery())).toBe(false);
  });

  it('is delivered by a first attempt that succeeds', () => {
    expect(run([started])).toStrictEqual({ status: 'inFlight', attempts: 1 });
    expect(run([started, succeeded])).toStrictEqual({ status: 'delivered', attempts: 1 });
  });

  it('fails after exactly 6 attempts when every one answers 500', () => {
    const seen: DeliverySnapshot[] = [];
    let delivery = initialDelivery();
    for (let i = 1; !isFinal(delivery); i++) {
      delivery = stepDelivery(delivery, started);
      delivery = stepDelivery(delivery, failed(http500, t0 + i * 1000));
      seen.push(delivery);
    }
    expect(seen).toStrictEqual([
      { status: 'waitingToRetry', attempts: 1, nextAttemptAt: t0 + 1000, lastError: 'HTTP 500', lastStatus: 500 },
      { status: 'waitingToRetry', attempts: 2, nextAttemptAt: t0 + 2000, lastError: 'HTTP 500', lastStatus: 500 },
      { status: 'waitingToRetry', attempts: 3, nextAttemptAt: t0 + 3000, lastError: 'HTTP 500', lastStatus: 500 },
      { status: 'waitingToRetry', attempts: 4, nextAttemptAt: t0 + 4000, lastError: 'HTTP 500', lastStatus: 500 },
      { status: 'waitingToRetry', attempts: 5, nextAttemptAt: t0 + 5000, lastError: 'HTTP 500', lastStatus: 500 },
      { status: 'failed', attempts: 6, lastError: 'HTTP 500', lastStatus: 500 },
    ]);
  });

  it('fails after 1 attempt on a 400', () => {
    expect(run([started, failed({ kind: 'fail', status: 400, error: 'HTTP 400' }, t0 + 1000)])).toStrictEqual({
      status: 'failed',
      attempts: 1,
      lastError: 'HTTP 400',
      lastStatus: 400,
    });
  });

  it('fails and marks the destination disabled on a 410', () => {
    expect(run([started, failed({ kind: 'disable', status: 410, error: 'HTTP 410' }, t0)])).toStrictEqual({
      status: 'failed',
      attempts: 1,
      lastError: 'HTTP 410',
      lastStatus: 410,
      disabled: true,
    });
  });

  it('keeps a null status for a network error or timeout', () => {
    expect(run([started, failed({ kind: 'retry', status: null, error: 'timed out after 10000 ms' }, t0 + 700)])).toStrictEqual({
      status: 'waitingToRetry',
      attempts: 1,
      nextAttemptAt: t0 + 700,
      lastError: 'timed out after 10000 ms',
      lastStatus: null,
    });
  });

  it('is delivered after retries, with the earlier error forgotten', () => {
    const retrying = run([started, failed(http500, t0 + 1000), started]);
    expect(retrying).toStrictEqual({ status: 'inFlight', attempts: 2, lastError: 'HTTP 500', lastStatus: 500 });
    expect(stepDelivery(retrying, succeeded)).toStrictEqual({ status: 'delivered', attempts: 2 });
  });

  it('after a crash, returns an in-flight attempt to pending and keeps its count', () => {
    const crashed = run([started, failed(http500, t0 + 1000), started]);
    const back = stepDelivery(crashed, recovered);
    expect(back).toStrictEqual({ status: 'pending', attempts: 2, lastError: 'HTTP 500', lastStatus: 500 });
    // The recovered attempt still counts towards the budget: 4 more, not 5.
    let delivery = back;
    let more = 0;
    while (!isFinal(delivery)) {
      delivery = run([started, failed(http500, t0)], delivery);
      more++;
    }
    expect([more, delivery.attempts]).toEqual([4, 6]);
  });

  it('ignores events its status does not expect', () => {
    const pending = initialDelivery();
    const waiting = run([started, failed(http500, t0 + 1000)]);
    const delivered = run([started, succeeded]);
    const hardFailed = run([started, failed({ kind: 'fail', status: 404, error: 'HTTP 404' }, t0)]);
    for (const event of [succeeded, failed(http500, t0), recovered]) {
      expect(stepDelivery(pending, event)).toStrictEqual(pending);
      expect(stepDelivery(waiting, event)).toStrictEqual(waiting);
    }
    expect(stepDelivery(run([started]), started)).toStrictEqual({ status: 'inFlight', attempts: 1 });
    for (const event of [started, succeeded, failed(http500, t0), recovered]) {
      expect(stepDelivery(delivered, event)).toStrictEqual(delivered);
      expect(stepDelivery(hardFailed, event)).toStrictEqual(hardFailed);
    }
    expect([isFinal(delivered), isFinal(hardFailed), isFinal(waiting)]).toEqual([true, true, false]);
  });

  it('resumes identically from a snapshot round-tripped through msgpackr', () => {
    const rest: DeliveryEvent[] = [started, failed({ kind: 'retry', status: null, error: 'socket hang up' }, t0 + 9000), recovered, started, succeeded];
    let direct = run([started, failed(http500, t0 + 1000), started]);
    let stored = unpack(pack(direct)) as DeliverySnapshot;
    expect(stored).toStrictEqual(direct);
    for (const event of [recovered, ...rest]) {
      direct = stepDelivery(direct, event);
      stored = unpack(pack(stepDelivery(stored, event))) as DeliverySnapshot;
      expect(stored).toStrictEqual(direct);
    }
    expect(stored).toStrictEqual({ status: 'delivered', attempts: 4 });
  });
});
