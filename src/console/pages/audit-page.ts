import { html } from 'hono/html';
import type { AuditJson } from '../console-api.ts';
import { layout, type Html } from './layout.ts';

/** The space's failed delivery attempts, newest first: why a destination is failing. */
export function auditPage(space: string, entries: readonly AuditJson[]): Html {
  return layout('Audit', html`<h1>Failed deliveries</h1>${auditTable(entries, 'audit')}`, { space, refreshSeconds: 5 });
}

/** Failed attempts as a table (the space's, or one audience's or trait's). */
export function auditTable(entries: readonly AuditJson[], id: string): Html {
  if (entries.length === 0) return html`<p>No failed attempts.</p>`;
  return html`<table id="${id}">
    <tr><th>At</th><th>Destination</th><th>Key</th><th>Attempt</th><th>HTTP status</th><th>Error</th><th>Final</th></tr>
    ${entries.map(
      (e) => html`<tr><td>${e.at}</td><td><code>${e.destinationId}</code></td><td><code>${e.key ?? 'alias'}</code></td><td>${e.attempt}</td><td>${e.status ?? 'no response'}</td><td class="error">${e.error}</td><td>${e.hard ? 'yes' : 'no'}</td></tr>`,
    )}
  </table>`;
}
