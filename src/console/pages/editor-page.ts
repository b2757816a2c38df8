import { html, raw } from 'hono/html';
import { layout, type Html } from './layout.ts';

export type EditorKind = 'audience' | 'computed_trait';

/**
 * Creating (or, with `editing`, changing) an audience or a computed trait. As the query is typed, the page asks the server's
 * own parser (`…/validate` through the console) and shows a refusal at its line and column, with
 * a caret under the place; an audience can be previewed (`…/audiences/preview`) before it exists.
 */
export function editorPage(space: string, kind: EditorKind, values: { name?: string; query?: string; error?: string } = {}, editing?: { readonly action: string; readonly title: string }): Html {
  const base = `/console/spaces/${encodeURIComponent(space)}`;
  const label = kind === 'audience' ? 'audience' : 'computed trait';
  const title = editing?.title ?? `New ${label}`;
  return layout(
    title,
    html`<h1>${title}</h1>
      <form id="editor" method="post" action="${editing?.action ?? `${base}/new`}" class="panel" data-check-url="${base}/check?kind=${kind}" data-preview-url="${base}/preview">
        <input type="hidden" name="kind" value="${kind}" />
        <p><label>Name<br /><input type="text" name="name" value="${values.name ?? ''}" required /></label></p>
        <p><label>Query<br /><textarea name="query" spellcheck="false" required>${values.query ?? ''}</textarea></label></p>
        <div id="check" aria-live="polite"></div>
        <pre id="marker" hidden></pre>
        ${values.error === undefined ? '' : html`<p class="error" id="create-error">${values.error}</p>`}
        <p>
          <button type="submit" id="create">${editing === undefined ? 'Create' : 'Save'}</button>
          ${kind === 'audience' ? html`<button type="button" id="preview">Preview</button>` : ''}
        </p>
        <div id="preview-result"></div>
      </form>
      <script>
        ${raw(EDITOR_SCRIPT)}
      </script>`,
    { space },
  );
}

// Plain browser script, no build step. Checks run 200 ms after the last keystroke; a stale
// answer (the text changed meanwhile) is dropped.
const EDITOR_SCRIPT = `
(() => {
  const form = document.getElementById('editor');
  const query = form.querySelector('textarea[name=query]');
  const check = document.getElementById('check');
  const marker = document.getElementById('marker');
  let timer;
  const post = async (url, body) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  async function runCheck() {
    const text = query.value;
    if (text.trim() === '') { check.textContent = ''; marker.hidden = true; return; }
    const answer = await post(form.dataset.checkUrl, { query: text });
    if (query.value !== text) return;
    if (answer.valid) {
      check.className = 'ok';
      check.textContent = 'Valid. Reads events: ' + (answer.reads.events.join(', ') || 'none') + '; traits: ' + (answer.reads.traits.join(', ') || 'none') + '.';
      marker.hidden = true;
      return;
    }
    const error = answer.error || { message: 'The check failed.' };
    check.className = 'error';
    check.textContent = error.message;
    if (error.line) {
      const line = text.split('\\n')[error.line - 1] || '';
      marker.textContent = line + '\\n' + ' '.repeat(Math.max(0, error.column - 1)) + '^';
      marker.hidden = false;
    } else marker.hidden = true;
  }
  query.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(runCheck, 200); });
  if (query.value.trim() !== '') runCheck();
  const preview = document.getElementById('preview');
  if (preview) preview.addEventListener('click', async () => {
    const out = document.getElementById('preview-result');
    out.textContent = 'Previewing…';
    const answer = await post(form.dataset.previewUrl, { query: query.value });
    if (answer.error) { out.className = 'error'; out.textContent = answer.error.message; return; }
    out.className = 'ok';
    const names = answer.sample.map((m) => (m.identifiers[0] ? m.identifiers[0].type + ':' + m.identifiers[0].value : m.id)).join(', ');
    out.textContent = 'Preview: ' + answer.size + ' member' + (answer.size === 1 ? '' : 's') + (answer.partial ? ' (partial: stopped by ' + answer.stoppedBy + ')' : '') + ' over ' + answer.evaluatedProfiles + ' profiles and ' + answer.evaluatedEvents + ' events' + (names ? ' — ' + names : '') + '.';
  });
})();
`;
