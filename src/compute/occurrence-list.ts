import type { TrackedEvent } from '../ingest/tracked-event.ts';
import type { Json } from '../shared/json.ts';
import { readField } from './occurrence.ts';
import type { StreamPlan } from './stream-plan.ts';
import { compareCodePoints } from './values.ts';

/**
 * One stream's kept occurrences, flat and sorted by (time, messageId): each takes `plan.stride`
 * slots, its time first, then its messageId where the plan keeps one (`first`/`last` break ties
 * with it), then the plan's projected fields (`null` for absent). One array per list instead of an
 * object and a field array per occurrence: an observe allocates one array, an evaluation reads
 * adjacent slots, and a count-only stream is an array of numbers.
 */
export type OccurrenceList = readonly Json[];

/** The layout of a plan's lists. */
export interface ListLayout {
  /** Slots per occurrence. */
  readonly stride: number;
  /** Whether slot 1 holds the messageId. */
  readonly keepsMessageId: boolean;
  /** Slot of the first projected field. */
  readonly fieldOffset: number;
}

export const EMPTY_LIST: OccurrenceList = [];

export function occurrenceCount(list: OccurrenceList, layout: ListLayout): number {
  return list.length / layout.stride;
}

export function timeAt(list: OccurrenceList, layout: ListLayout, index: number): number {
  return list[index * layout.stride] as number;
}

export function messageIdAt(list: OccurrenceList, layout: ListLayout, index: number): string {
  return layout.keepsMessageId ? (list[index * layout.stride + 1] as string) : '';
}

/** A projected field of an occurrence (`null` when the event had none). */
export function fieldAt(list: OccurrenceList, layout: ListLayout, index: number, field: number): Json {
  return list[index * layout.stride + layout.fieldOffset + field]!;
}

/** Index of the first occurrence with time > `at`. */
export function firstAfter(list: OccurrenceList, layout: ListLayout, at: number): number {
  const stride = layout.stride;
  let lo = 0;
  let hi = list.length / stride;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid * stride] as number) <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where an occurrence (t, m) goes: after every kept one that sorts at or before it. */
function insertionIndex(list: OccurrenceList, layout: ListLayout, t: number, m: string): number {
  const stride = layout.stride;
  const count = list.length / stride;
  // Most events arrive in time order: they go last.
  if (count === 0 || compareAt(list, layout, count - 1, t, m) <= 0) return count;
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareAt(list, layout, mid, t, m) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The (t, m) order of the kept occurrence at `index` against (t, m). */
export function compareAt(list: OccurrenceList, layout: ListLayout, index: number, t: number, m: string): number {
  const kept = list[index * layout.stride] as number;
  if (kept !== t) return kept - t;
  if (!layout.keepsMessageId) return 0;
  const keptId = list[index * layout.stride + 1] as string;
  return keptId === m ? 0 : compareCodePoints(keptId, m);
}

/** The list with the event's occurrence inserted in order, projected onto the plan's fields. */
export function withOccurrence(list: OccurrenceList, plan: StreamPlan, event: TrackedEvent): OccurrenceList {
  const { stride, fieldOffset } = plan;
  const t = event.timestamp;
  const m = plan.keepsMessageId ? event.messageId : '';
  const at = insertionIndex(list, plan, t, m) * stride;
  const length = list.length;
  const out = new Array<Json>(length + stride);
  for (let i = 0; i < at; i++) out[i] = list[i]!;
  out[at] = t;
  if (plan.keepsMessageId) out[at + 1] = m;
  for (let f = 0; f < plan.fields.length; f++) out[at + fieldOffset + f] = readField(event, plan.fields[f]!) ?? null;
  for (let i = at; i < length; i++) out[i + stride] = list[i]!;
  return out;
}

/** The list from occurrence `first` on (the same list when `first` is 0). */
export function listFrom(list: OccurrenceList, layout: ListLayout, first: number): OccurrenceList {
  return first <= 0 ? list : list.slice(first * layout.stride);
}

/** Drops the occurrences at or before `dead`; the same list when none is. */
export function dropThrough(list: OccurrenceList, layout: ListLayout, dead: number): OccurrenceList {
  if (list.length === 0 || (list[0] as number) > dead) return list;
  return listFrom(list, layout, firstAfter(list, layout, dead));
}

/** Two sorted lists of one layout merged into one, in (t, m) order. */
export function mergeLists(a: OccurrenceList, b: OccurrenceList, layout: ListLayout): OccurrenceList {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const { stride } = layout;
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const takeA = j >= b.length || (i < a.length && compareAt(a, layout, i / stride, b[j] as number, layout.keepsMessageId ? (b[j + 1] as string) : '') <= 0);
    const from = takeA ? a : b;
    const start = takeA ? i : j;
    for (let k = 0; k < stride; k++) out.push(from[start + k]!);
    if (takeA) i += stride;
    else j += stride;
  }
  return out;
}

/**
 * A list stored by an earlier version, when occurrences were objects `{t, m, v}`, in this layout;
 * undefined when the list is already flat (its first slot is a time).
 */
export function flattenLegacyList(list: readonly unknown[], layout: ListLayout): OccurrenceList | undefined {
  if (list.length === 0 || typeof list[0] === 'number') return undefined;
  const out: Json[] = [];
  for (const item of list as ReadonlyArray<{ readonly t: number; readonly m: string; readonly v: readonly Json[] }>) {
    out.push(item.t);
    if (layout.keepsMessageId) out.push(item.m);
    for (let f = 0; f < layout.stride - layout.fieldOffset; f++) out.push(item.v[f] ?? null);
  }
  return out;
}
