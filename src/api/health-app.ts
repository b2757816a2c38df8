import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { AppEnv } from './app-env.ts';
import { errorResponse } from './error-response.ts';

/** `GET /health` (200 once ready) and `GET /metrics` (Prometheus text). */
export function createHealthApp(deps: { readonly isReady: () => boolean; readonly registry: Registry }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/health', (c) => (deps.isReady() ? c.json({ status: 'ok' }) : errorResponse(c, 'unavailable', 'The engine is starting or stopping.')));
  app.get('/metrics', async (c) => c.text(await deps.registry.metrics(), 200, { 'Content-Type': deps.registry.contentType }));
  return app;
}
