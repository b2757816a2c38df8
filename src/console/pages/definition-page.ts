import { html } from 'hono/html';
import type { AuditJson, DefinitionJson, MembersJson, SyncJson } from '../console-api.ts';
import { auditTable } from './audit-page.ts';
import { layout, type Html } from './layout.ts';
import { sizeChart, type SizePoint } from './size-chart.ts';
import { statusCell } from './space-page.ts';

/** One audience or computed trait: its definition, status, size, a page of members (audiences), its recent syncs and failed deliveries. */
export function definitionPage(
  space: string,
  collection: 'audiences' | 'computed-traits',
  definition: DefinitionJson,
  syncs: readonly SyncJson[],
  audit: readonly AuditJson[],
  members?: MembersJson,
  sizes?: readonly SizePoint[],
): Html {
  const moving = definition.status === 'Preparing' || definition.status === 'Computing';
  return layout(
    definition.name,
    html`<h1>${definition.name}</h1>
      <p><a id="edit" href="/console/spaces/${encodeURIComponent(space)}/${collection}/${encodeURIComponent(definition.id)}/edit">Edit</a></p>
      <div class="panel">
        <p>Key <code>${definition.key}</code> · ${definition.definition.type} · <span id="status">${statusCell(definition)}</span>${definition.size === undefined ? '' : html` · size <strong id="size">${definition.size}</strong>`}</p>
        ${definition.description === null ? '' : html`<p>${definition.description}</p>`}
        <pre id="query">${definition.definition.query}</pre>
      </div>
      ${sizes === undefined ? '' : html`<h2>Size over time</h2>${sizeChart(sizes)}`}
      ${members === undefined ? '' : membersSection(space, definition, members)}
      <h2>Recent syncs</h2>
      ${syncs.length === 0
        ? html`<p>No messages sent yet (connect a destination to send changes).</p>`
        : html`<table id="syncs">
            <tr><th>At</th><th>Destination</th><th>Message</th><th>Status</th><th>Attempts</th><th>Last error</th></tr>
            ${syncs.map((s) => html`<tr><td>${s.at}</td><td><code>${s.destinationId}</code></td><td><code>${s.messageId}</code></td><td>${s.status}</td><td>${s.attempts}</td><td>${s.lastError ?? ''}</td></tr>`)}
          </table>`}
      <h2>Failed deliveries</h2>
      ${auditTable(audit, 'definition-audit')}`,
    { space, refreshSeconds: moving ? 1 : 5 },
  );
}

function membersSection(space: string, definition: DefinitionJson, page: MembersJson): Html {
  const base = `/console/spaces/${encodeURIComponent(space)}`;
  return html`<h2>Members</h2>
    ${page.members.length === 0
      ? html`<p>No members.</p>`
      : html`<table id="members">
          <tr><th>Profile</th><th>Identifiers</th></tr>
          ${page.members.map(
            (m) => html`<tr><td><a href="${base}/profiles/${encodeURIComponent(m.id)}"><code>${m.id}</code></a></td><td>${m.identifiers.map((i) => html`<code>${i.type}:${i.value}</code> `)}</td></tr>`,
          )}
        </table>`}
    ${page.cursor.next === null ? '' : html`<p><a id="more-members" href="${base}/audiences/${encodeURIComponent(definition.id)}?members=${encodeURIComponent(page.cursor.next)}">More members</a></p>`}`;
}
