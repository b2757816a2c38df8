import type { IdentifierFrequency, IdentityConfig } from '../config/config.ts';
import { type BlockedValues, compileBlockedValues } from './blocked-values.ts';

/** One identifier type's rule, after merging config with Segment's defaults. */
export interface IdentifierRule {
  readonly type: string;
  /** Most values of this type a profile may hold (within `frequency`'s time frame, if any). */
  readonly limit: number;
  /** `undefined` and `'ever'` both mean "all time". */
  readonly frequency: IdentifierFrequency | undefined;
  /** 1 is the most trusted. Several types may share a number; `rank` breaks the tie. */
  readonly priority: number;
  /** Position in the total priority order, 0 first. Demotion drops the highest rank first. */
  readonly rank: number;
  /**
   * False for types numbered by the alphabetical tail (§4.4 "all others alphabetical from 3"),
   * which is renumbered when a custom type is added. Configured types and the user_id/email
   * defaults keep their number.
   */
  readonly fixedPriority: boolean;
}

/** A space's identity resolution settings (contract "Details fixed": `identity`). Frozen. */
export interface IdentitySettings {
  readonly rules: ReadonlyMap<string, IdentifierRule>;
  /** The rules in priority order: `order[r].rank === r`. */
  readonly order: readonly IdentifierRule[];
  readonly blocked: BlockedValues;
  /** Profiles folded into one profile, counted transitively (§4.3 step 5). */
  readonly maxMerges: number;
  /** Identifiers one profile may hold (§4.3 step 5). */
  readonly maxIdentifiers: number;
  /** Custom types auto-added from `context.externalIds` so far. */
  readonly customTypes: number;
  /**
   * Beyond this many custom types, a new type is not learned and its identifier is ignored: a
   * client sending random types would otherwise grow the settings (and every event's priority
   * ranking) without bound. Types learned before the cap stay.
   */
  readonly maxCustomTypes: number;
}

/** Config `maxCustomIdentifierTypesPerSpace`'s default. */
export const DEFAULT_MAX_CUSTOM_TYPES = 50;

/** Segment's 11 default types for spaces created after Oct 2020 (§4.2). */
export const DEFAULT_IDENTIFIER_TYPES = [
  'user_id',
  'email',
  'android.id',
  'android.idfa',
  'android.push_token',
  'anonymous_id',
  'ga_client_id',
  'group_id',
  'ios.id',
  'ios.idfa',
  'ios.push_token',
] as const;

/** §4.4: "user_id 1; all other identifiers 5", for defaults and auto-added custom types alike. */
export const DEFAULT_LIMIT = 5;
export const USER_ID_LIMIT = 1;
export const MAX_MERGES = 100;
export const MAX_IDENTIFIERS = 1000;

/** The tail is numbered from here, after user_id (1) and email (2). */
const FIRST_TAIL_PRIORITY = 3;

/** A rule before ranking: `priority` undefined puts the type in the alphabetical tail. */
interface RuleSpec {
  readonly type: string;
  readonly limit: number;
  readonly frequency: IdentifierFrequency | undefined;
  readonly priority: number | undefined;
}

function defaultSpec(type: string): RuleSpec {
  if (type === 'user_id') return { type, limit: USER_ID_LIMIT, frequency: undefined, priority: 1 };
  if (type === 'email') return { type, limit: DEFAULT_LIMIT, frequency: undefined, priority: 2 };
  return { type, limit: DEFAULT_LIMIT, frequency: undefined, priority: undefined };
}

/**
 * Merges a space's `identity` config with Segment's defaults: listed types replace the default
 * rule for that type (types are lower-cased, as externalIds types are); blocked values add to the
 * defaults unless `replaceDefaultBlockedValues`.
 *
 * @example
 * const settings = identitySettingsFrom(space.identity);
 * settings.rules.get('anonymous_id'); // { limit: 5, priority: 6, ... } by default
 */
export function identitySettingsFrom(config: IdentityConfig | undefined, maxCustomTypes = DEFAULT_MAX_CUSTOM_TYPES): IdentitySettings {
  const specs = new Map<string, RuleSpec>();
  for (const type of DEFAULT_IDENTIFIER_TYPES) specs.set(type, defaultSpec(type));
  for (const rule of config?.identifiers ?? []) {
    const type = rule.type.toLowerCase();
    specs.set(type, { type, limit: rule.limit, frequency: rule.frequency, priority: rule.priority });
  }
  const blocked = compileBlockedValues(config?.blockedValues ?? [], config?.replaceDefaultBlockedValues ?? false);
  return build(specs.values(), blocked, { maxMerges: MAX_MERGES, maxIdentifiers: MAX_IDENTIFIERS, customTypes: 0, maxCustomTypes });
}

/**
 * Adds a custom type first seen in `context.externalIds` with the default limit and an
 * alphabetical priority (§4.2 "auto-added to the config with the default limit and priority"),
 * renumbering the tail as §4.4 describes. Returns `settings` itself when the type is known, so
 * callers can compare by reference to learn whether anything changed.
 */
export function withCustomType(settings: IdentitySettings, type: string): IdentitySettings {
  if (settings.rules.has(type)) return settings;
  const specs: RuleSpec[] = settings.order.map((rule) => ({
    type: rule.type,
    limit: rule.limit,
    frequency: rule.frequency,
    priority: rule.fixedPriority ? rule.priority : undefined,
  }));
  specs.push({ type, limit: DEFAULT_LIMIT, frequency: undefined, priority: undefined });
  const { maxMerges, maxIdentifiers, maxCustomTypes } = settings;
  return build(specs, settings.blocked, { maxMerges, maxIdentifiers, customTypes: settings.customTypes + 1, maxCustomTypes });
}

/** True when a type not in the settings may not be learned any more (the cap is reached). */
export function customTypesFull(settings: IdentitySettings): boolean {
  return settings.customTypes >= settings.maxCustomTypes;
}

/** The rule for a type the settings do not list: default limit, ranked after every known type. */
export function ruleOf(settings: IdentitySettings, type: string): IdentifierRule {
  return settings.rules.get(type) ?? unknownRule(settings, type);
}

function unknownRule(settings: IdentitySettings, type: string): IdentifierRule {
  return { type, limit: DEFAULT_LIMIT, frequency: undefined, priority: Number.MAX_SAFE_INTEGER, rank: settings.order.length, fixedPriority: false };
}

type Caps = Pick<IdentitySettings, 'maxMerges' | 'maxIdentifiers' | 'customTypes' | 'maxCustomTypes'>;

function build(specs: Iterable<RuleSpec>, blocked: BlockedValues, caps: Caps): IdentitySettings {
  const all = [...specs];
  const tail = all.filter((s) => s.priority === undefined).sort((a, b) => compareText(a.type, b.type));
  const tailPriority = new Map(tail.map((s, i) => [s.type, FIRST_TAIL_PRIORITY + i]));
  const numbered = all.map((s) => ({
    spec: s,
    priority: s.priority ?? tailPriority.get(s.type) ?? FIRST_TAIL_PRIORITY,
    fixed: s.priority !== undefined,
  }));
  // Ties on the number: a configured or fixed priority is the operator's explicit choice, so it
  // ranks before a tail type with the same number; then alphabetical, for a total order.
  numbered.sort((a, b) => a.priority - b.priority || Number(b.fixed) - Number(a.fixed) || compareText(a.spec.type, b.spec.type));
  const order = numbered.map(({ spec, priority, fixed }, rank) =>
    Object.freeze({ type: spec.type, limit: spec.limit, frequency: spec.frequency, priority, rank, fixedPriority: fixed }),
  );
  const rules = new Map(order.map((rule) => [rule.type, rule]));
  return Object.freeze({ rules, order: Object.freeze(order), blocked, ...caps });
}

/** Code-unit order, not locale order: the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
