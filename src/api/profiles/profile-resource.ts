import type { ProfileState } from '../../actors/profile-state.ts';
import type { DefinitionKind } from '../../definitions/ast.ts';
import type { ProfileReader } from '../../runtime/profile-reader.ts';
import type { EpochMs } from '../../shared/ids.ts';
import type { JsonObject } from '../../shared/json.ts';
import type { ParamResult } from './query-params.ts';

/** What rendering a resource may read besides the profile: the history and the request's time. */
export interface RenderContext {
  readonly reader: ProfileReader;
  /** Read once per request, so every window in one response agrees on "now". */
  readonly now: EpochMs;
  /** The request's path and query, echoed as `cursor.url`. */
  readonly url: string;
  /** The class of a trait: the kind of the live audience or computed trait with its key, if any. */
  readonly traitClassOf: (key: string) => DefinitionKind | undefined;
}

export type RenderProfile = (profile: ProfileState, context: RenderContext) => JsonObject;

/**
 * One resource under `…/profiles/{id}/`. Parameters are checked BEFORE the profile is looked up
 * (so a bad parameter is a 400 whether or not the profile exists, and another space's token
 * cannot tell the two apart); a valid request yields the function that renders the body.
 */
export type ProfileResource = (query: URLSearchParams) => ParamResult<RenderProfile>;
