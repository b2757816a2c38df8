/**
 * The one catalogue of error codes. Each code has an HTTP status and a description; a unit test
 * asserts every code used is listed here. Codes are the wire `error.code` (snake_case, as
 * Segment's own APIs use), so they are stable strings clients can match on.
 */
export const ERROR_CATALOGUE = {
  // Request-level (whole request refused, nothing stored).
  invalid_json: { status: 400, description: 'The body is not valid JSON.' },
  invalid_body: { status: 400, description: 'The body is JSON but not an object of the expected shape.' },
  invalid_encoding: { status: 400, description: 'The Content-Encoding is unsupported or the gzip stream is corrupt.' },
  request_too_large: { status: 400, description: 'The request body exceeds its limit: 512,000 bytes on the Tracking API, 65,536 on admin and management routes.' },
  request_aborted: { status: 400, description: 'The client closed the connection before its request body arrived (logged at debug, counted in /metrics).' },
  batch_empty: { status: 400, description: 'A batch with no items.' },
  batch_too_large: { status: 400, description: 'A batch with more than 2,500 items.' },
  all_items_rejected: { status: 400, description: 'Every item of a batch was rejected.' },
  unauthorized: { status: 401, description: 'Missing or unknown write key, access token or admin token.' },
  authentication_error: { status: 401, description: 'Profile API: missing or wrong access token.' },
  not_found: { status: 404, description: 'The resource does not exist (or belongs to another space).' },
  overloaded: { status: 429, description: 'The engine cannot keep up; retry after Retry-After seconds.' },
  request_timeout: { status: 408, description: 'The request body did not arrive in time.' },
  invalid_request_error: { status: 400, description: 'A query parameter or path segment is invalid.' },
  clock_not_manual: { status: 400, description: 'The clock can only be set when config.clock is "manual".' },
  clock_backwards: { status: 400, description: 'The manual clock cannot move backwards.' },
  internal_error: { status: 500, description: 'An unexpected failure; it is logged.' },
  unavailable: { status: 503, description: 'The engine is starting or stopping.' },
  // Item-level (one event of a batch refused, the others kept).
  event_too_large: { status: 400, description: 'The event exceeds 32,768 bytes of JSON, counting the batch `context`/`integrations` merged into it.' },
  invalid_event: { status: 400, description: 'The event is not a JSON object.' },
  invalid_type: { status: 400, description: 'The event type is missing or not one of identify, track, page, screen, group, alias.' },
  missing_event_name: { status: 400, description: 'A track call without `event`.' },
  missing_group_id: { status: 400, description: 'A group call without `groupId`.' },
  missing_previous_id: { status: 400, description: 'An alias call without `previousId`.' },
  no_user_anon_id: { status: 400, description: 'Neither `userId` nor `anonymousId` is present.' },
  invalid_field: { status: 400, description: 'A field has the wrong type (an id that is not a string, a non-object `traits`, ...), or a number anywhere in the event is out of range (`1e400`).' },
  invalid_unicode: { status: 400, description: 'A string or key holds an unpaired UTF-16 surrogate, which is not valid Unicode and cannot be stored exactly.' },
  id_too_long: { status: 400, description: 'An identifier is longer than 1,536 UTF-8 bytes (the storage key limit), or groupId over 500 characters.' },
  message_id_too_long: { status: 400, description: '`messageId` is longer than 100 characters.' },
  too_many_traits: { status: 400, description: 'An identify call with 300 or more traits.' },
  nesting_too_deep: { status: 400, description: 'The event nests deeper than 32 levels.' },
  forbidden_key: { status: 400, description: 'A key `__proto__`, `constructor` or `prototype` appears in the event.' },
  invalid_timestamp: { status: 400, description: 'A timestamp is not an ISO-8601 date, is before 1970, or (after clock-skew correction) is more than a year after the event was received.' },
  no_matching_identifiers: { status: 400, description: 'After blocked values, the event carries no identifier.' },
  suppressed: { status: 400, description: 'The userId is suppressed in this space.' },
  // Management API (audiences, computed traits).
  invalid_definition: { status: 400, description: 'The definition does not parse or type-check; the message names the line and column.' },
  definition_cycle: { status: 400, description: 'The definition would create a cycle by referencing another audience or computed trait.' },
  unsupported_definition: { status: 400, description: 'The definition uses something this engine does not evaluate yet (account ANY/ALL).' },
  key_in_use: { status: 409, description: 'The audience or computed-trait key is in use, or was used by a deleted one (keys are never reused).' },
  key_immutable: { status: 400, description: 'A key cannot be changed after creation.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Errors as data: what crosses threads and what HTTP bodies carry. */
export interface ErrorData {
  readonly code: ErrorCode;
  readonly message: string;
}

/** An expected failure with a stable code; `api/on-error.ts` maps it to status and body. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
  }

  toData(): ErrorData {
    return { code: this.code, message: this.message };
  }
}

/** Recognise by shape, not class: errors cross worker threads as plain data. */
export function isAppErrorData(value: unknown): value is ErrorData {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    // Own keys only: a code such as `toString` must not pass for a catalogued one.
    Object.hasOwn(ERROR_CATALOGUE, (value as { code: string }).code) &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Every catch goes through this, so a thrown string or object still becomes an Error. */
export function ensureError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
