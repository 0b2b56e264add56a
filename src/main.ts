import type { FastifyInstance } from 'fastify';
import { type Config, resolveOperatorToken } from './config/index.js';
import { buildOperatorApp, writeOperatorEndpoint } from './operator/index.js';
import { httpsOptions, openRuntime } from './runtime.js';
import type { Services } from './services.js';
import { type RunningWorker, startWorker } from './worker/index.js';

/** How long `ferry start` lets its listener answer before the worker's first rounds (wake-ups run at once). */
const FIRST_ROUNDS_AFTER_MS = 500;

export interface Running {
  app: FastifyInstance | undefined;
  /** The operator listener (operator API), when the API runs and ADMIN_PORT is not off. */
  operatorUrl: string | undefined;
  services: Services;
  /** Stops accepting, drains in-flight requests and workers, closes the database. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts Ferry: `api` serves HTTP (API, hosted pages, sandbox bank), `worker` runs background work.
 * `ferry start` runs both in one process; `ferry worker` only the worker.
 */
export async function startFerry(config: Config, parts: { api: boolean; worker: boolean }): Promise<Running> {
  // The HTTP app's modules load while the database opens (see openRuntime).
  const appModule = parts.api ? import('./app.js') : undefined;
  appModule?.catch(() => {});
  const runtime = await openRuntime(config);
  const { services } = runtime;
  let app: FastifyInstance | undefined;
  let operatorApp: FastifyInstance | undefined;
  let operatorUrl: string | undefined;
  let forgetEndpoint: (() => void) | undefined;
  let worker: RunningWorker | undefined;
  let stopping: Promise<void> | undefined;

  const stop = () => {
    stopping ??= (async () => {
      forgetEndpoint?.();
      if (operatorApp) await operatorApp.close();
      if (app) await app.close();
      if (worker) await worker.stop();
      await runtime.close();
    })();
    return stopping;
  };

  try {
    if (parts.api) {
      const https = httpsOptions(config);
      const { buildApp } = await appModule!;
      ({ app } = await buildApp(config, { services, ...(https ? { server: { https } } : {}) }));
      await app.listen({ port: config.port, host: config.host });
      if (config.admin.port !== undefined) {
        services.metrics.collectProcessMetrics();
        operatorApp = await buildOperatorApp({
          ...services.operatorDeps,
          token: resolveOperatorToken(config),
        });
        operatorUrl = await operatorApp.listen({ port: config.admin.port, host: config.admin.host });
        // The CLI on the same embedded data folder finds it here (on PostgreSQL it uses the database directly).
        if (!config.databaseUrl) forgetEndpoint = writeOperatorEndpoint(config.dataDir, operatorUrl);
      }
    }
    if (parts.worker) {
      // Background work (webhook delivery, refresh jobs, sweeps) is registered by modules on services.worker.
      // Rounds begin shortly after the listener opens: the first requests are answered before background work.
      worker = await startWorker(services, parts.api ? { firstRoundsAfterMs: FIRST_ROUNDS_AFTER_MS } : {});
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { app, operatorUrl, services, stop };
}

/** SIGTERM/SIGINT: stop gracefully; a second signal or a stuck drain exits hard. */
export function stopOnSignals(running: Running, log: (msg: string) => void, graceMs = 25_000): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = true;
    log(`${signal} received: draining requests and workers, then closing the database...`);
    const timer = setTimeout(() => {
      log('Shutdown took too long; exiting.');
      process.exit(1);
    }, graceMs);
    timer.unref();
    running.stop().then(
      () => process.exit(0),
      (error) => {
        log(`Shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
