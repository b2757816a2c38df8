/**
 * Definitions in an order where each comes after the definitions whose keys it reads as traits
 * (`trait('trait_3') > 100` after `trait_3`), as the engine evaluates them within one step.
 * Ties keep the given order. A cycle cannot be created in the engine ("would create a cycle");
 * here it is refused the same way.
 */
export function dependencyOrder<D extends { readonly key: string }>(definitions: readonly D[], reads: (definition: D) => ReadonlySet<string>): D[] {
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const ordered: D[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (definition: D, path: readonly string[]): void => {
    const seen = state.get(definition.key);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`definitions ${[...path, definition.key].join(' → ')} would create a cycle`);
    state.set(definition.key, 'visiting');
    for (const key of reads(definition)) {
      const dependency = byKey.get(key);
      if (dependency !== undefined) visit(dependency, [...path, definition.key]);
    }
    state.set(definition.key, 'done');
    ordered.push(definition);
  };
  for (const definition of definitions) visit(definition, []);
  return ordered;
}
