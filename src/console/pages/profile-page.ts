import { html } from 'hono/html';
import type { EventsJson, ExternalIdsJson, MergesJson, TraitsJson } from '../console-api.ts';
import { layout, type Html } from './layout.ts';

export interface ProfileView {
  readonly id: string;
  readonly traits: TraitsJson['traits'];
  readonly memberships: TraitsJson['traits'];
  readonly computed: TraitsJson['traits'];
  readonly identifiers: ExternalIdsJson['data'];
  readonly events: EventsJson['data'];
  /** Its creation and every profile merged into it. */
  readonly merges: MergesJson | undefined;
}

/** One profile through the Profile API: identifiers, memberships, computed values, traits, recent events. */
export function profilePage(space: string, profile: ProfileView): Html {
  const rows = (values: Record<string, unknown>, id: string) =>
    Object.keys(values).length === 0
      ? html`<p>None.</p>`
      : html`<table id="${id}">${Object.entries(values).map(([key, value]) => html`<tr><td><code>${key}</code></td><td><code>${JSON.stringify(value)}</code></td></tr>`)}</table>`;
  return layout(
    `Profile ${profile.id}`,
    html`<h1>Profile <code>${profile.id}</code></h1>
      <h2>Identifiers</h2>
      <table id="identifiers">${profile.identifiers.map((i) => html`<tr><td>${i.type}</td><td><code>${i.id}</code></td><td>${i.created_at}</td></tr>`)}</table>
      <h2>Audiences</h2>
      ${rows(profile.memberships, 'memberships')}
      <h2>Computed traits</h2>
      ${rows(profile.computed, 'computed')}
      <h2>Traits</h2>
      ${rows(profile.traits, 'traits')}
      <h2>Creation and merges</h2>
      ${profile.merges === undefined
        ? html`<p>Not available.</p>`
        : html`<table id="merges">
            <tr><td>${profile.merges.profile.createdAt ?? ''}</td><td>created</td><td></td></tr>
            ${profile.merges.mergedFrom.map(
              (m) => html`<tr><td>${m.createdAt ?? ''}</td><td>merged in <code>${m.id}</code> (created then)</td><td>${m.identifiers.map((i) => html`<code>${i.type}:${i.value}</code> `)}</td></tr>`,
            )}
          </table>`}
      <h2>Recent events (last 14 days)</h2>
      ${profile.events.length === 0
        ? html`<p>None.</p>`
        : html`<table id="events">
            <tr><th>At</th><th>Event</th><th>Properties</th></tr>
            ${profile.events.map((e) => html`<tr><td>${e.timestamp}</td><td>${e.event}</td><td><code>${JSON.stringify(e.properties)}</code></td></tr>`)}
          </table>`}`,
    { space },
  );
}

/** A profile page without an access token in the session: the Profile API needs one. */
export function profileNeedsAccessToken(space: string, id: string): Html {
  return layout(`Profile ${id}`, html`<h1>Profile <code>${id}</code></h1><p class="error" id="needs-access">Profiles are read through the Profile API, which takes the space's access token: sign out and sign in again with it.</p>`, { space });
}
