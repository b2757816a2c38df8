import chromium from '@sparticuz/chromium';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/engine-server.ts';
import { admin, DAY, iso, send } from './definitions-http.ts';
import { auditOf, connect, createDestination, syncSettled } from './sync-http.ts';
import { advanceClock } from './tracking-http.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

// Issue 11 item 2: the console in a real headless Chromium. Sign in with the admin token; create
// an audience with a typo and see the error at its position; fix it; preview it; watch the
// backfill reach Live; send events and see the size change; open a member's profile; see a
// failing destination's audit entries. A failing step saves a screenshot under test-results/.

const SCREENSHOTS = new URL('../../test-results/', import.meta.url).pathname;

describe('the console in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let now: number;

  beforeAll(async () => {
    server = await startTestServer({ clock: 'manual' });
    now = await advanceClock(server.url, 0);
    // Three buyers with an order in the last week, one whose order is older.
    const batch = [0, 1, 2, 20].map((daysAgo, i) => ({ type: 'track', userId: `buyer-${i}`, event: 'Order Completed', properties: { total: 10 }, timestamp: iso(now - daysAgo * DAY - 1000) }));
    await send(server.url, 'batch', { batch });
    browser = await puppeteer.launch({ args: chromium.args, executablePath: await chromium.executablePath(), headless: true });
    page = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.destroy();
  });

  /** Runs a step; on failure the page as it was is saved, named after the step. */
  async function step(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}console-${name}.png`, fullPage: true }).catch(() => undefined);
      throw error;
    }
  }

  const text = (selector: string): Promise<string> => page.$eval(selector, (element) => element.textContent ?? '');

  /** Reloads until `selector`'s text satisfies `done` (pages refresh themselves; a reload is the same read). */
  async function untilText(selector: string, done: (value: string) => boolean): Promise<string> {
    let last = '';
    for (let tries = 0; tries < 100; tries++) {
      last = await page.$eval(selector, (element) => element.textContent ?? '').catch(() => '');
      if (done(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
      await page.reload({ waitUntil: 'domcontentloaded' });
    }
    throw new Error(`${selector} never matched; last read ${JSON.stringify(last)}`);
  }

  it('signs in, creates an audience with a typo, fixes it, previews it, watches it go Live and grow, opens a member, shows a failing destination, and edits the audience', async () => {
    await step('sign-in', async () => {
      await page.goto(`${server.url}/console`);
      await page.type('input[name=token]', 'not-the-token');
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      expect(await text('#sign-in-error')).toContain('token');
      await page.type('input[name=token]', 'dev-admin-token');
      await page.type('input[name=accessToken]', 'dev-access-token');
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      expect(new URL(page.url()).pathname).toBe('/console/spaces/default');
      expect(await text('h1')).toBe('Space default');
    });

    await step('typo', async () => {
      await page.goto(`${server.url}/console/spaces/default/new?kind=audience`);
      await page.type('input[name=name]', 'Recent buyers');
      await page.type('textarea[name=query]', "event('Order Completed').within(7 days).count( >= 1");
      await page.waitForFunction(() => document.getElementById('check')?.className === 'error');
      expect(await text('#check')).toBe("line 1, column 48: expected an argument of count, found '>='");
      // The caret stands under the place the message names.
      expect(await text('#marker')).toBe(`event('Order Completed').within(7 days).count( >= 1\n${' '.repeat(47)}^`);
    });

    await step('fix-and-preview', async () => {
      await page.$eval('textarea[name=query]', (element) => {
        (element as HTMLTextAreaElement).value = '';
      });
      await page.type('textarea[name=query]', "event('Order Completed').within(7 days).count() >= 1");
      await page.waitForFunction(() => document.getElementById('check')?.className === 'ok');
      expect(await text('#check')).toBe('Valid. Reads events: Order Completed; traits: none.');
      await page.click('#preview');
      await page.waitForFunction(() => (document.getElementById('preview-result')?.textContent ?? '').startsWith('Preview: '));
      expect(await text('#preview-result')).toMatch(/^Preview: 3 members over 4 profiles and 4 events — user_id:buyer-\d, user_id:buyer-\d, user_id:buyer-\d\.$/);
    });

    await step('create-and-go-live', async () => {
      await Promise.all([page.waitForNavigation(), page.click('#create')]);
      expect(new URL(page.url()).pathname).toMatch(/^\/console\/spaces\/default\/audiences\/aud_/);
      await untilText('#status', (status) => status.startsWith('Live'));
      expect(await text('#size')).toBe('3');
      expect(await text('#query')).toBe("event('Order Completed').within(7 days).count() >= 1");
    });

    await step('size-grows', async () => {
      // The manual clock's moves sample every audience's size (the system clock's engine: each minute).
      await advanceClock(server.url, 1000);
      await send(server.url, 'track', { userId: 'buyer-9', event: 'Order Completed', properties: { total: 5 } });
      await page.goto(`${server.url}/console/spaces/default`);
      expect(await untilText('#audiences tr[data-key=recent_buyers] .size', (size) => size === '4')).toBe('4');
      await advanceClock(server.url, 1000);
      const sizes = (await admin(server.url, 'GET', '/v1/spaces/default/audiences/recent_buyers/sizes')).body;
      expect(sizes).toEqual({ sizes: [{ at: iso(now + 1000), size: 3 }, { at: iso(now + 2000), size: 4 }] });
      await Promise.all([page.waitForNavigation(), page.click('#audiences tr[data-key=recent_buyers] a')]);
      // A step line: up from 3 to 4 at the second sample.
      expect(await page.$eval('#size-chart polyline', (line) => line.getAttribute('points')?.split(' ').length)).toBe(3);
    });

    await step('member-profile', async () => {
      expect(await page.$$eval('#members tr', (rows) => rows.length - 1)).toBe(4);
      // The member the event just made appears in the list.
      expect(await text('#members')).toContain('user_id:buyer-9');
      const member = await page.$eval('#members tr:nth-child(2) td:nth-child(2)', (cell) => cell.textContent?.trim() ?? '');
      expect(member).toMatch(/^user_id:buyer-\d$/);
      await Promise.all([page.waitForNavigation(), page.click('#members tr:nth-child(2) a')]);
      expect(new URL(page.url()).pathname).toMatch(/^\/console\/spaces\/default\/profiles\/use_/);
      expect(await text('#identifiers')).toContain(member.slice('user_id:'.length));
      expect(await text('#memberships')).toContain('recent_buyers');
      expect(await text('#memberships')).toContain('true');
      expect(await text('#events')).toContain('Order Completed');
      expect(await text('#merges')).toContain('created');
      // An anonymous visitor who then identifies as this member is merged into the member's profile.
      const userId = member.slice('user_id:'.length);
      await send(server.url, 'track', { anonymousId: 'visitor-1', event: 'Product Viewed' });
      await send(server.url, 'identify', { userId, anonymousId: 'visitor-1' });
      await page.reload();
      expect(await text('#merges')).toMatch(/merged in use_\w+ \(created then\)\s*anonymous_id:visitor-1/);
      await page.goBack();
    });

    await step('failing-destination', async () => {
      const port = await closedPort();
      const destination = await createDestination(server.url, 'Nowhere', { url: `http://127.0.0.1:${port}/hook` });
      await page.goto(`${server.url}/console/spaces/default`);
      const audience = await page.$eval('#audiences tr[data-key=recent_buyers] a', (a) => (a as HTMLAnchorElement).pathname.split('/').pop() ?? '');
      await connect(server.url, 'audiences', audience, destination.id, 'identify');
      await syncSettled(server);
      const audit = await auditOf(server.url);
      expect(audit.length).toBeGreaterThan(0);
      // Every failed attempt is in the audit; the status counts the same ones.
      const status = (await admin(server.url, 'GET', `/v1/spaces/default/destinations/${destination.id}/status`)).body as { status: Record<string, unknown> };
      expect(status.status).toMatchObject({ delivered: 0, dropped: 0, lastDeliveredAt: null, failedAttempts: audit.filter((entry) => entry['destinationId'] === destination.id).length });
      expect(status.status['lastFailure']).toMatchObject({ at: expect.stringMatching(/Z$/), error: expect.any(String) });
      // The space page shows the destination failing, from its status.
      await page.goto(`${server.url}/console/spaces/default`);
      const row = `#destinations tr[data-id=${destination.id}]`;
      expect(Number(await text(`${row} .failed`))).toBeGreaterThan(0);
      expect(await text(`${row} .delivered`)).toBe('0');
      expect(await text(`${row} .error`)).toMatch(/^\d{4}-\d\d-\d\dT.*Z: .+/);
      await page.goto(`${server.url}/console/spaces/default/audit`);
      expect(await page.$$eval('#audit tr', (rows) => rows.length)).toBeGreaterThan(1);
      expect(await text('#audit')).toContain(destination.id);
      expect(await text('#audit')).toContain('no response');
      // The audience's own page lists its failed deliveries too.
      await page.goto(`${server.url}/console/spaces/default/audiences/${audience}`);
      expect(await text('#definition-audit')).toContain(destination.id);
    });

    await step('delivering-destination', async () => {
      const receiver = await startWebhookReceiver();
      try {
        const destination = await createDestination(server.url, 'Receiver', { url: `${receiver.url}/hook` });
        const audience = await page.$eval('#edit', (a) => (a as HTMLAnchorElement).pathname.split('/')[5] ?? '');
        await connect(server.url, 'audiences', audience, destination.id, 'identify');
        // The first sync sends every current member (4).
        await receiver.waitFor(4);
        await syncSettled(server);
        await page.goto(`${server.url}/console/spaces/default`);
        const row = `#destinations tr[data-id=${destination.id}]`;
        expect(await text(`${row} .delivered`)).toBe('4');
        expect(await text(`${row} .rate`)).toBe('4/min');
        expect(await text(`${row} .backlog`)).toBe('0');
        await page.goto(`${server.url}/console/spaces/default/audiences/${audience}`);
      } finally {
        await receiver.close();
      }
    });

    await step('edit', async () => {
      await Promise.all([page.waitForNavigation(), page.click('#edit')]);
      expect(await page.$eval('textarea[name=query]', (area) => (area as HTMLTextAreaElement).value)).toBe("event('Order Completed').within(7 days).count() >= 1");
      await page.$eval('input[name=name]', (input) => {
        (input as HTMLInputElement).value = '';
      });
      await page.type('input[name=name]', 'Buyers this week');
      await page.$eval('textarea[name=query]', (area) => {
        (area as HTMLTextAreaElement).value = '';
      });
      await page.type('textarea[name=query]', "event('Order Completed').within(1 days).count() >= 1");
      await page.waitForFunction(() => document.getElementById('check')?.className === 'ok');
      await Promise.all([page.waitForNavigation(), page.click('#create')]);
      expect(await text('h1')).toBe('Buyers this week');
      // The new query is backfilled: buyers of the last day only (buyer-0 and buyer-9).
      await untilText('#status', (status) => status.startsWith('Live'));
      expect(await text('#size')).toBe('2');
    });
  }, 120_000);

  it('renders the API reference at /docs, its script served by the engine', async () => {
    await step('docs', async () => {
      await page.goto(`${server.url}/docs`, { waitUntil: 'networkidle0' });
      await page.waitForFunction(() => document.body.innerText.includes('Liveness and readiness'), { timeout: 30_000 });
      expect(await page.evaluate(() => document.body.innerText)).toContain('A real-time audience engine with a Segment-compatible Tracking API and Profile API.');
    });
  }, 60_000);

  it('sends a person without a session to sign in', async () => {
    // Chromium here runs as one process (no second browser context): forget the session instead.
    const cdp = await page.createCDPSession();
    await cdp.send('Network.clearBrowserCookies');
    await page.goto(`${server.url}/console/spaces/default/new?kind=audience`);
    expect(new URL(page.url()).pathname).toBe('/console');
    expect(await text('h1')).toBe('Sign in');
  });
});

/** A loopback port with nothing listening (taken, then released). */
async function closedPort(): Promise<number> {
  const probe: Server = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
