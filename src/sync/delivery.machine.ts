import { assign, initialTransition, setup, transition } from 'xstate';
import type { EpochMs } from '../shared/ids.ts';
import { MAX_RETRIES, type FailedVerdict } from './retry-policy.ts';

/**
 * One outbox message's delivery: pending → inFlight → (waitingToRetry → inFlight)… → delivered or
 * failed. Stepped only through xstate's pure `transition()`; what is persisted is
 * `DeliverySnapshot`, from which the machine state is resolved again after a restart. The IO side
 * records `attempt.started` before it sends, so a crash mid-send leaves `inFlight`, which
 * `delivery.recovered` turns back into `pending` with the attempt still counted (at least once:
 * that attempt may have arrived).
 */

export type DeliveryStatus = 'pending' | 'inFlight' | 'waitingToRetry' | 'delivered' | 'failed';

export interface DeliverySnapshot {
  readonly status: DeliveryStatus;
  /** Attempts started so far, the one in flight included. */
  readonly attempts: number;
  /** While `waitingToRetry`: when the next attempt may start. */
  readonly nextAttemptAt?: EpochMs;
  /** The last failed attempt's error, while retrying and once failed. */
  readonly lastError?: string;
  /** The last failed attempt's HTTP status; null when it had none (network error, timeout). */
  readonly lastStatus?: number | null;
  /** Failed because the receiver answered 410: the destination is to be disabled. */
  readonly disabled?: boolean;
}

export type DeliveryEvent =
  | { readonly type: 'attempt.started' }
  | { readonly type: 'attempt.succeeded' }
  /** `retryAt` is used only when the verdict is a retry and the retry budget allows one. */
  | { readonly type: 'attempt.failed'; readonly verdict: FailedVerdict; readonly retryAt: EpochMs }
  /** After a crash: an attempt that was in flight is forgotten, not its count. */
  | { readonly type: 'delivery.recovered' };

interface DeliveryContext {
  readonly attempts: number;
  readonly nextAttemptAt: EpochMs | undefined;
  readonly lastError: string | undefined;
  readonly lastStatus: number | null | undefined;
  readonly disabled: boolean;
}

const EMPTY_CONTEXT: DeliveryContext = { attempts: 0, nextAttemptAt: undefined, lastError: undefined, lastStatus: undefined, disabled: false };

export const deliveryMachine = setup({
  types: { context: {} as DeliveryContext, events: {} as DeliveryEvent },
  guards: {
    // `attempts` includes the one that failed: after attempt n ≤ MAX_RETRIES a retry is left,
    // after attempt MAX_RETRIES + 1 (the last retry) none is.
    mayRetry: ({ context, event }) => event.type === 'attempt.failed' && event.verdict.kind === 'retry' && context.attempts <= MAX_RETRIES,
  },
  actions: {
    startAttempt: assign({ attempts: ({ context }) => context.attempts + 1, nextAttemptAt: undefined }),
    forgetError: assign({ lastError: undefined, lastStatus: undefined }),
    scheduleRetry: assign(({ event }) => (event.type === 'attempt.failed' ? { nextAttemptAt: event.retryAt, ...failureOf(event.verdict) } : {})),
    recordFailure: assign(({ event }) =>
      event.type === 'attempt.failed' ? { ...failureOf(event.verdict), disabled: event.verdict.kind === 'disable' } : {},
    ),
  },
}).createMachine({
  id: 'delivery',
  initial: 'pending',
  context: EMPTY_CONTEXT,
  states: {
    pending: {
      on: { 'attempt.started': { target: 'inFlight', actions: 'startAttempt' } },
    },
    inFlight: {
      on: {
        'attempt.succeeded': { target: 'delivered', actions: 'forgetError' },
        'attempt.failed': [
          { guard: 'mayRetry', target: 'waitingToRetry', actions: 'scheduleRetry' },
          { target: 'failed', actions: 'recordFailure' },
        ],
        'delivery.recovered': { target: 'pending' },
      },
    },
    waitingToRetry: {
      on: { 'attempt.started': { target: 'inFlight', actions: 'startAttempt' } },
    },
    delivered: { type: 'final' },
    failed: { type: 'final' },
  },
});

function failureOf(verdict: FailedVerdict): Pick<DeliveryContext, 'lastError' | 'lastStatus'> {
  return { lastError: verdict.error, lastStatus: verdict.status };
}

let initial: DeliverySnapshot | undefined;

/** A message just put in the outbox (the machine's initial state, resolved once: it never changes). */
export function initialDelivery(): DeliverySnapshot {
  if (initial === undefined) {
    const [snapshot] = initialTransition(deliveryMachine);
    initial = deliveryOf(snapshot.value as DeliveryStatus, snapshot.context);
  }
  return initial;
}

/**
 * The steps of a message's first attempts (no error, no due time recorded yet) depend only on
 * (status, attempts, event type): they are remembered, as the machine gives them. Resolving and
 * transitioning an xstate snapshot creates an actor scope each time (~40 µs here), and every
 * delivered message takes two such steps.
 */
const plainSteps = new Map<string, DeliverySnapshot>();
const PLAIN_EVENTS = new Set<DeliveryEvent['type']>(['attempt.started', 'attempt.succeeded', 'delivery.recovered']);
const PLAIN_ATTEMPTS_REMEMBERED = 8;

/** Applies one event to a persisted delivery; an event the current status does not expect leaves it as is. */
export function stepDelivery(current: DeliverySnapshot, event: DeliveryEvent): DeliverySnapshot {
  const plain =
    PLAIN_EVENTS.has(event.type) &&
    current.attempts < PLAIN_ATTEMPTS_REMEMBERED &&
    current.lastError === undefined &&
    current.lastStatus === undefined &&
    current.nextAttemptAt === undefined &&
    current.disabled === undefined;
  if (!plain) return transitionDelivery(current, event);
  const key = `${current.status}\u0000${current.attempts}\u0000${event.type}`;
  let next = plainSteps.get(key);
  if (next === undefined) {
    next = transitionDelivery(current, event);
    plainSteps.set(key, next);
  }
  return next;
}

function transitionDelivery(current: DeliverySnapshot, event: DeliveryEvent): DeliverySnapshot {
  const snapshot = deliveryMachine.resolveState({
    value: current.status,
    context: {
      attempts: current.attempts,
      nextAttemptAt: current.nextAttemptAt,
      lastError: current.lastError,
      lastStatus: current.lastStatus,
      disabled: current.disabled ?? false,
    },
  });
  const [next] = transition(deliveryMachine, snapshot, event);
  return deliveryOf(next.value as DeliveryStatus, next.context);
}

/** Delivered or failed: nothing more will be sent for it. */
export function isFinal(delivery: DeliverySnapshot): boolean {
  return delivery.status === 'delivered' || delivery.status === 'failed';
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The persisted form, absent fields left out (so a msgpack round trip gives back an equal object). */
function deliveryOf(status: DeliveryStatus, context: DeliveryContext): DeliverySnapshot {
  const delivery: Writable<DeliverySnapshot> = { status, attempts: context.attempts };
  if (context.nextAttemptAt !== undefined) delivery.nextAttemptAt = context.nextAttemptAt;
  if (context.lastError !== undefined) delivery.lastError = context.lastError;
  if (context.lastStatus !== undefined) delivery.lastStatus = context.lastStatus;
  if (context.disabled) delivery.disabled = true;
  return delivery;
}
