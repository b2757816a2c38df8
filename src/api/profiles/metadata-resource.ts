import { ok } from '../../shared/result.ts';
import { isoTime } from './iso-time.ts';
import type { ProfileResource } from './profile-resource.ts';
import { readFlag } from './query-params.ts';

/** `GET …/metadata`: where the profile's first and latest messages came from. Profiles never expire. */
export const metadataResource: ProfileResource = (query) => {
  // Accepted for Segment compatibility; the metadata has no longer form.
  const verbose = readFlag(query, 'verbose');
  if (!verbose.ok) return verbose;
  return ok((profile) => ({
    metadata: {
      created_at: isoTime(profile.first.receivedAt),
      updated_at: isoTime(profile.last.receivedAt),
      expires_at: null,
      first_message_id: profile.first.messageId,
      first_source_id: profile.first.sourceId,
      last_message_id: profile.last.messageId,
      last_source_id: profile.last.sourceId,
    },
  }));
};
