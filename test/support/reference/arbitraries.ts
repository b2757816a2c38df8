/**
 * fast-check arbitraries for the evaluator property tests: definitions (as checked ASTs), profile
 * histories with exact arrival instants, and trait maps. One import for harnesses and tests; each
 * concept lives in its own file.
 */
export { type DefinitionOptions, audienceArb, computedTraitArb, definitionArb } from './definition-arbitraries.ts';
export { historyArb, traitsArb } from './history-arbitraries.ts';
export { DATES, NAMES, SOURCES, T0, TRAIT_KEYS } from './vocabulary.ts';
