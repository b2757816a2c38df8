import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d2329; background: #f6f7f9; }
header { background: #1d2329; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: center; }
header a { color: #fff; text-decoration: none; } header form { margin-left: auto; }
main { padding: 24px; max-width: 1100px; }
table { border-collapse: collapse; width: 100%; background: #fff; margin-bottom: 24px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
th { font-weight: 600; font-size: 13px; color: #5b6570; }
code, pre, textarea { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #fff; padding: 10px; border: 1px solid #e3e6ea; overflow: auto; }
textarea { width: 100%; min-height: 110px; }
input[type=text], input[type=password] { width: 360px; padding: 4px; }
.status-Live { color: #16794c; } .status-Failed { color: #b3261e; } .status-Computing, .status-Preparing { color: #a15c00; }
.ok { color: #16794c; } .error { color: #b3261e; white-space: pre-wrap; }
.panel { background: #fff; border: 1px solid #e3e6ea; padding: 12px 16px; margin-bottom: 24px; }
button { padding: 5px 14px; }
`;

/**
 * Every console page: the engine's own pages, no build step and no assets. `refreshSeconds`
 * reloads a page that shows something in motion (a backfill computing, a size changing).
 */
export function layout(title: string, body: Html, options: { space?: string; refreshSeconds?: number } = {}): Html {
  const { space, refreshSeconds } = options;
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title} · Troupe</title>
    ${refreshSeconds === undefined ? '' : html`<meta http-equiv="refresh" content="${refreshSeconds}" />`}
    <style>${STYLE}</style>
  </head>
  <body>
    <header>
      <strong>Troupe</strong>
      ${space === undefined
        ? ''
        : html`<a href="/console/spaces/${encodeURIComponent(space)}">Space ${space}</a>
            <a href="/console/spaces/${encodeURIComponent(space)}/new?kind=audience">New audience</a>
            <a href="/console/spaces/${encodeURIComponent(space)}/new?kind=computed_trait">New computed trait</a>
            <a href="/console/spaces/${encodeURIComponent(space)}/audit">Audit</a>
            <form method="post" action="/console/sign-out"><button type="submit">Sign out</button></form>`}
    </header>
    <main>${body}</main>
  </body>
</html>`;
}

export type { Html };
