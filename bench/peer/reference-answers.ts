import { mergeTraits } from '../../src/actors/merge-traits.ts';
import type { TraitEntry } from '../../src/actors/profile-state.ts';
import { extractIdentifiers } from '../../src/identity/extract-identifiers.ts';
import { identitySettingsFrom } from '../../src/identity/settings.ts';
import type { TrackedEvent } from '../../src/ingest/tracked-event.ts';
import type { Json } from '../../src/shared/json.ts';
import { referenceAnswer } from '../../test/support/reference/reference-evaluator.ts';
import type { LoggedEvent } from '../load/event-log.ts';
import { definitionFields } from './definition-fields.ts';
import { dependencyOrder } from './dependency-order.ts';
import { definitionAst, type PeerAnswerMap, type PeerInput } from './duckdb-peer.ts';

/**
 * The peer's yardstick: the same answers as `computePeerAnswers`, computed person by person by
 * the reference evaluator (test/support/reference), with the engine's own identifier extraction
 * (who is known) and trait folding (`mergeTraits`). Obviously right and slow: for small logs.
 */
/** recompute-definitions.ts `isKnownProfile`: a profile qualifies with one of these (its set is not exported). */
const KNOWN_IDENTIFIER_TYPES = new Set(['user_id', 'email', 'android.idfa', 'ios.idfa']);

export function referenceAnswers(input: PeerInput): PeerAnswerMap {
  const definitions = dependencyOrder(
    input.definitions.map((d) => ({ key: d.key, kind: d.kind, ast: definitionAst(d), includeAnonymousUsers: d.includeAnonymousUsers ?? false })),
    (d) => definitionFields([d.ast]).traitKeys,
  );
  const settings = identitySettingsFrom(undefined);
  const byPerson = new Map<string, LoggedEvent[]>();
  const seen = new Set<string>();
  for (const logged of input.events) {
    if (!byPerson.has(logged.person)) byPerson.set(logged.person, []);
    // Ingestion keeps the first event of a messageId; one not yet sent at `at` has not arrived.
    if (seen.has(logged.call.messageId)) continue;
    seen.add(logged.call.messageId);
    if (logged.sentAt <= input.at) byPerson.get(logged.person)!.push(logged);
  }

  const answers: PeerAnswerMap = new Map();
  for (const [person, arrived] of byPerson) {
    const events = arrived.map(trackedEventOf);
    let traits: Readonly<Record<string, TraitEntry>> = {};
    let known = false;
    for (const event of events) {
      known ||= extractIdentifiers(event, settings).identifiers.some((identifier) => KNOWN_IDENTIFIER_TYPES.has(identifier.type));
      if (event.type === 'identify' && event.traits !== undefined) traits = mergeTraits(traits, event.traits, event.timestamp, event.sourceId);
    }
    const values: Record<string, Json> = {};
    for (const [key, entry] of Object.entries(traits)) if (entry.value !== null) values[key] = entry.value;
    const record: Record<string, Json> = {};
    for (const d of definitions) {
      delete values[d.key];
      const answer = known || d.includeAnonymousUsers ? referenceAnswer(d.ast, { events, traits: values }, input.at) : d.kind === 'audience' ? false : undefined;
      if (answer === undefined) continue;
      record[d.key] = answer;
      values[d.key] = answer;
    }
    answers.set(person, record);
  }
  return answers;
}

function trackedEventOf(logged: LoggedEvent): TrackedEvent {
  const { call } = logged;
  return {
    type: call.type,
    messageId: call.messageId,
    sourceId: 'src_bench',
    ...(call.userId === undefined ? {} : { userId: call.userId }),
    ...(call.anonymousId === undefined ? {} : { anonymousId: call.anonymousId }),
    ...(call.event === undefined ? {} : { event: call.event }),
    ...(call.name === undefined ? {} : { name: call.name }),
    ...(call.groupId === undefined ? {} : { groupId: call.groupId }),
    ...(call.properties === undefined ? {} : { properties: { ...call.properties } }),
    ...(call.traits === undefined ? {} : { traits: { ...call.traits } }),
    timestamp: Date.parse(call.timestamp),
    receivedAt: logged.sentAt,
  };
}
