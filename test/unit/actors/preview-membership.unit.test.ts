import { answerEntry } from '../../../src/actors/compute-states.ts';
import { describe, expect, it } from 'vitest';
import type { ActorMessage } from '../../../src/actors/actor-message.ts';
import { previewMembership } from '../../../src/actors/preview-membership.ts';
import type { ProfileState } from '../../../src/actors/profile-state.ts';
import { stepProfile, type SpaceDefinitions } from '../../../src/actors/step-profile.ts';
import { compileDefinition } from '../../../src/compute/compile-definition.ts';
import { compileDefinitionSet, EMPTY_DEFINITION_SET, type LiveDefinition } from '../../../src/compute/definition-set.ts';
import type { TrackedEvent } from '../../../src/ingest/tracked-event.ts';
import { asProfileId, asSpaceId } from '../../../src/shared/ids.ts';
import { aggregate, audience, compare, computedTrait, days, lit, stream, trait } from '../../support/ast-builders.ts';
import { trackedEvent } from '../../support/events.ts';

const space = asSpaceId('default');
const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

// A computed trait that the previewed audience reads: orders in the last 3 days.
const recentOrders: LiveDefinition = {
  id: 'trt_recent',
  key: 'recent_orders',
  kind: 'computed_trait',
  revision: 1,
  includeAnonymousUsers: false,
  ast: computedTrait(aggregate(stream('Order Completed', { window: { kind: 'within', duration: days(3) } }), { kind: 'count' })),
};
const definitions: SpaceDefinitions = { users: compileDefinitionSet([recentOrders]), accounts: EMPTY_DEFINITION_SET };
const weekly = compileDefinition(audience(compare(aggregate(stream('Order Completed', { window: { kind: 'within', duration: days(7) } }), { kind: 'count' }), { op: 'at_least', operand: lit(1) })));
const readsTrait = compileDefinition(audience(compare(trait('recent_orders'), { op: 'at_least', operand: lit(1) })));

function order(timestamp: number, identified: boolean): { message: ActorMessage; event: TrackedEvent } {
  const event = trackedEvent({ messageId: `m-${timestamp}`, type: 'track', event: 'Order Completed', ...(identified ? { userId: 'u1' } : { anonymousId: 'a1' }), timestamp, receivedAt: timestamp });
  const newIdentifiers = [{ type: identified ? 'user_id' : 'anonymous_id', value: identified ? 'u1' : 'a1', addedAt: timestamp, firstMessageId: event.messageId, sourceId: 'src' }];
  return { message: { type: 'profile.track', profileId: asProfileId('use_p'), spaceId: space, event, newIdentifiers }, event };
}

/** A profile that ordered at each timestamp, as its shard would hold it at `now`, with its history. */
function profile(timestamps: readonly number[], now: number, identified = true): { state: ProfileState; history: TrackedEvent[] } {
  let state: ProfileState | undefined;
  const history: TrackedEvent[] = [];
  for (const timestamp of timestamps) {
    const { message, event } = order(timestamp, identified);
    state = stepProfile(state, message, now, definitions).state;
    history.push(event);
  }
  return { state: state!, history };
}

describe('previewMembership', () => {
  const now = T0 + 10 * DAY;
  const { state, history } = profile([now - 5 * DAY, now - DAY], now);
  const ask = (evaluator: typeof weekly, at: number, input: { state?: ProfileState; history?: TrackedEvent[]; includeAnonymousUsers?: boolean } = {}) =>
    previewMembership({ evaluator, includeAnonymousUsers: input.includeAnonymousUsers ?? false, history: input.history ?? history, state: input.state ?? state, definitions: definitions.users, now, at });

  it('replays the history as of now and looks ahead to the millisecond a window closes', () => {
    expect(ask(weekly, now)).toBe(true);
    // The newer order (now − 1 day) leaves the 7-day window at now + 6 days.
    expect(ask(weekly, now + 6 * DAY - 1)).toBe(true);
    expect(ask(weekly, now + 6 * DAY)).toBe(false);
  });

  it('starts from nothing without history (includeHistoricalData off)', () => {
    expect(previewMembership({ evaluator: weekly, includeAnonymousUsers: false, history: undefined, state, definitions: definitions.users, now, at: now })).toBe(false);
  });

  it('brings the definitions it reads forward to the instant asked', () => {
    // recent_orders is 1 now (the order a day ago) and drops to 0 at now + 2 days.
    expect(answerEntry(state.compute, 'recent_orders')?.value).toBe(1);
    expect(ask(readsTrait, now)).toBe(true);
    expect(ask(readsTrait, now + 2 * DAY - 1)).toBe(true);
    expect(ask(readsTrait, now + 2 * DAY)).toBe(false);
  });

  it('leaves anonymous profiles out unless the options include them', () => {
    const anonymous = profile([now - DAY], now, false);
    expect(ask(weekly, now, anonymous)).toBe(false);
    expect(ask(weekly, now, { ...anonymous, includeAnonymousUsers: true })).toBe(true);
  });
});
