/**
 * Ingestion limits. The public ones are promised in contract.md ("Tracking API", "Details
 * fixed"); MAX_DEPTH and MAX_FUTURE_MS protect the engine itself, and so does the byte bound on
 * identifier values, which lives in shared/key-bounds.ts because the APIs bound lookups by it too.
 */

/** 32 KB per event, counted as JSON bytes of the item as received. */
export const MAX_EVENT_BYTES = 32_768;

/** 500 KB per request, counted as UTF-8 bytes of the (decompressed) body. */
export const MAX_REQUEST_BYTES = 512_000;

export const MAX_BATCH_ITEMS = 2_500;

export const MAX_MESSAGE_ID_CHARS = 100;

/** An identify with this many traits or more is rejected (Engage: "300 or more traits"). */
export const MAX_TRAITS = 300;

export const MAX_GROUP_ID_CHARS = 500;

/** Containers nested deeper than this are rejected; the event object itself is level 1. */
export const MAX_DEPTH = 32;

/**
 * How far after `receivedAt` an event's (skew-corrected) timestamp may lie. Future-dated events
 * are kept and count once their time comes (compute/SEMANTICS.md), but a year ahead is a broken
 * clock or a unit mistake, not a plan: such an event would sit unseen by every API for years.
 */
export const MAX_FUTURE_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * Keys refused anywhere in an event: later stages merge objects (traits, context), and these
 * keys would let a payload reach or shadow Object.prototype.
 */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
