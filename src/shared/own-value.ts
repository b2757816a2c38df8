/**
 * `record[key]` when `key` is the record's own property, else undefined. Profile state keeps
 * plain objects (they round-trip through msgpackr), and their keys are user-chosen (trait names,
 * group ids): a plain read of `constructor` or `toString` would find Object.prototype's function
 * and take it for an existing entry.
 *
 * @example
 * ownValue({}, 'toString') // → undefined, where ({})['toString'] is a function
 */
export function ownValue<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
