/**
 * Ingestion limits. The public ones are promised in contract.md ("Tracking API", "Details
 * fixed"); MAX_DEPTH and MAX_ID_BYTES protect the engine itself.
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
 * UTF-8 bytes of a userId, anonymousId or previousId. LMDB keys are limited to 1,978 bytes and
 * an id is stored inside a composite key (space, id type, value), so the id gets about half.
 */
export const MAX_ID_BYTES = 1_024;

/**
 * Keys refused anywhere in an event: later stages merge objects (traits, context), and these
 * keys would let a payload reach or shadow Object.prototype.
 */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
