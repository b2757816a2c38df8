import { html } from 'hono/html';
import type { DefinitionJson, SyncJson } from '../console-api.ts';
import { layout, type Html } from './layout.ts';
import { statusCell } from './space-page.ts';

/** One audience or computed trait: its definition, status, size and its recent syncs. */
export function definitionPage(space: string, definition: DefinitionJson, syncs: readonly SyncJson[]): Html {
  const moving = definition.status === 'Preparing' || definition.status === 'Computing';
  return layout(
    definition.name,
    html`<h1>${definition.name}</h1>
      <div class="panel">
        <p>Key <code>${definition.key}</code> · ${definition.definition.type} · <span id="status">${statusCell(definition)}</span>${definition.size === undefined ? '' : html` · size <strong id="size">${definition.size}</strong>`}</p>
        ${definition.description === null ? '' : html`<p>${definition.description}</p>`}
        <pre id="query">${definition.definition.query}</pre>
      </div>
      <h2>Recent syncs</h2>
      ${syncs.length === 0
        ? html`<p>No messages sent yet (connect a destination to send changes).</p>`
        : html`<table id="syncs">
            <tr><th>At</th><th>Destination</th><th>Message</th><th>Status</th><th>Attempts</th><th>Last error</th></tr>
            ${syncs.map((s) => html`<tr><td>${s.at}</td><td><code>${s.destinationId}</code></td><td><code>${s.messageId}</code></td><td>${s.status}</td><td>${s.attempts}</td><td>${s.lastError ?? ''}</td></tr>`)}
          </table>`}`,
    { space, refreshSeconds: moving ? 1 : 5 },
  );
}
