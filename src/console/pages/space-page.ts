import { html } from 'hono/html';
import type { DefinitionJson, DestinationJson, DestinationStatusJson } from '../console-api.ts';
import { layout, type Html } from './layout.ts';

/** A space at a glance: its audiences and computed traits with status and size, and its destinations. */
export function spacePage(
  space: string,
  audiences: readonly DefinitionJson[],
  traits: readonly DefinitionJson[],
  destinations: ReadonlyArray<{ readonly destination: DestinationJson; readonly status: DestinationStatusJson | undefined }>,
): Html {
  const moving = [...audiences, ...traits].some((d) => d.status === 'Preparing' || d.status === 'Computing');
  return layout(
    `Space ${space}`,
    html`<h1>Space ${space}</h1>
      <h2>Audiences</h2>
      ${definitionTable(space, 'audiences', audiences, true)}
      <h2>Computed traits</h2>
      ${definitionTable(space, 'computed-traits', traits, false)}
      <h2>Destinations</h2>
      ${destinations.length === 0
        ? html`<p>No destinations.</p>`
        : html`<table id="destinations">
            <tr><th>Name</th><th>URL</th><th>State</th><th>Backlog</th><th>Delivered</th><th>Rate</th><th>Failed attempts</th><th>Last failure</th></tr>
            ${destinations.map(
              ({ destination: d, status }) => html`<tr data-id="${d.id}">
                <td>${d.name}</td><td><code>${d.settings.url}</code></td>
                <td>${d.enabled ? 'enabled' : html`<span class="error">disabled: ${d.disabledReason ?? 'by its owner'}</span>`}</td>
                <td class="backlog">${status?.backlog ?? '?'}</td><td class="delivered">${status?.delivered ?? '?'}</td><td class="rate">${status === undefined ? '?' : `${status.deliveredLastMinute}/min`}</td><td class="failed">${status?.failedAttempts ?? '?'}</td>
                <td class="error">${status?.lastFailure === null || status === undefined ? '' : html`${status.lastFailure.at}: ${status.lastFailure.error}`}</td>
              </tr>`,
            )}
          </table>
          <p>Delivered and failed count since the engine started; <a href="/console/spaces/${encodeURIComponent(space)}/audit">the audit</a> lists each failed attempt.</p>`}`,
    // While a backfill computes, the page follows it; otherwise it refreshes slowly (sizes move).
    { space, refreshSeconds: moving ? 1 : 5 },
  );
}

function definitionTable(space: string, collection: 'audiences' | 'computed-traits', definitions: readonly DefinitionJson[], sized: boolean): Html {
  if (definitions.length === 0) return html`<p>None yet.</p>`;
  return html`<table id="${collection}">
    <tr><th>Name</th><th>Key</th><th>Status</th>${sized ? html`<th>Size</th>` : ''}</tr>
    ${definitions.map(
      (d) => html`<tr data-key="${d.key}">
        <td><a href="/console/spaces/${encodeURIComponent(space)}/${collection}/${encodeURIComponent(d.id)}">${d.name}</a></td>
        <td><code>${d.key}</code></td>
        <td>${statusCell(d)}</td>
        ${sized ? html`<td class="size">${d.size ?? 0}</td>` : ''}
      </tr>`,
    )}
  </table>`;
}

/** Status, with a progress bar while a backfill computes and the reason when it failed. */
export function statusCell(d: DefinitionJson): Html {
  const label = d.enabled ? d.status : 'Disabled';
  return html`<span class="status status-${label}">${label}</span>${d.status === 'Computing' ? html` <progress max="1" value="${d.progress ?? 0}"></progress> ${Math.round((d.progress ?? 0) * 100)}%` : ''}${d.status === 'Failed' && d.reason !== undefined ? html`<div class="error">${d.reason}</div>` : ''}`;
}
