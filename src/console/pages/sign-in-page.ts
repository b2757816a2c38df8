import { html } from 'hono/html';
import { layout, type Html } from './layout.ts';

/** The sign-in form: a space and its admin token (the same token the management API takes). */
export function signInPage(options: { space?: string; error?: string } = {}): Html {
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
      <form method="post" action="/console/sign-in" class="panel">
        <p><label>Space<br /><input type="text" name="space" value="${options.space ?? 'default'}" required /></label></p>
        <p><label>Admin token<br /><input type="password" name="token" required /></label></p>
        <p><label>Access token, to open profiles (optional)<br /><input type="password" name="accessToken" /></label></p>
        ${options.error === undefined ? '' : html`<p class="error" id="sign-in-error">${options.error}</p>`}
        <button type="submit">Sign in</button>
      </form>`,
  );
}
