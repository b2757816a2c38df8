import type { Json } from '../shared/json.ts';
import type { TraitLookup } from './definition-evaluator.ts';
import { EMPTY_LIST, firstAfter, listFrom, mergeLists } from './occurrence-list.ts';
import { isBareList, type RootStreamState } from './stream-state.ts';
import type { RootStreamPlan } from './stream-plan.ts';
import { dynamicFilter } from './stream-value.ts';

/** A settleable funnel reads no trait (`stream-plan.ts`, `settleAfter`): one that did is a bug, not an answer. */
const noTraits: TraitLookup = (key) => {
  throw new Error(`a settled funnel read trait('${key}')`);
};

/**
 * Settles the parents of a settleable funnel whose child windows have all closed at `now`: tests
 * each once and moves it to the state's `pass` or `fail` list. Evaluations then count the passing
 * ones by time range and test only the parents still open, where they tested every parent in the
 * window at every evaluation: a profile with 96 parents a day in a 30-day funnel spent ~120 µs per
 * event doing so. A settled parent's answer holds at every later instant (its children are all
 * due, its filter reads no trait and no clock), until a late child joins its window, which reopens
 * it (`observeStream`); merges reopen them all. The same state when nothing settles.
 */
export function settleStream(plan: RootStreamPlan, state: RootStreamState, now: number): RootStreamState {
  if (plan.settleAfter === undefined || isBareList(state) || state.s !== 'retained') return state;
  const { occ, kids } = state;
  const settled = firstAfter(occ, plan, now - plan.settleAfter);
  if (settled === 0) return state;
  const keep = dynamicFilter(plan, occ, kids, noTraits, now, undefined);
  const { stride } = plan;
  const pass: Json[] = [];
  const fail: Json[] = [];
  for (let i = 0; i < settled; i++) {
    const into = keep(i) ? pass : fail;
    for (let k = 0; k < stride; k++) into.push(occ[i * stride + k]!);
  }
  // Late parents settle behind ones settled before: merged in time order.
  return { s: 'retained', occ: listFrom(occ, plan, settled), kids, pass: mergeLists(state.pass ?? EMPTY_LIST, pass, plan), fail: mergeLists(state.fail ?? EMPTY_LIST, fail, plan) };
}
