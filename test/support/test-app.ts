import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type CreateClientInput, clientScopes, oauthScopeOf } from '../../src/auth/index.js';
import { type Config, parseConfig } from '../../src/config/index.js';
import type { BankConnector } from '../../src/connectors/types.js';
import type { ServiceDeps, Services } from '../../src/services.js';
import type { Clock } from '../../src/shared/clock.js';
import type { Store } from '../../src/store/index.js';
import { createWorker, type Worker } from '../../src/worker/index.js';
import { createTestStore } from './test-store.js';

/** Who calls: a test client's body credentials, a live client's bearer token (and client_id), or nobody. */
export type Caller =
  | { client_id: string; client_secret: string }
  | { bearer: string; client_id?: string }
  | null;

export type ErrorFields = { code?: string; message?: string; field?: string };

export interface CallResult<B = Record<string, unknown> & ErrorFields> {
  status: number;
  body: B;
  headers: Record<string, unknown>;
}

export interface PageResult {
  status: number;
  body: string;
  headers: Record<string, unknown>;
}

export { csrfOf } from './csrf.js';

export interface TestApp {
  app: FastifyInstance;
  /** Log lines (parsed JSON) when created with `captureLogs`; empty otherwise. */
  logs: Record<string, unknown>[];
  services: Services;
  /** The background worker, not started: tests run what is due with `worker.drain()` and an injected clock. */
  worker: Worker;
  store: Store;
  config: Config;
  /** Creates an API client and returns its id and one-time secret. */
  client(
    input?: Partial<CreateClientInput>,
  ): Promise<{ clientId: string; clientSecret: string; name: string }>;
  /** Creates a live client and an OAuth2 access token for it (client credentials grant, every scope). */
  liveClient(
    input?: Partial<CreateClientInput>,
  ): Promise<{ clientId: string; clientSecret: string; bearer: string; client_id: string }>;
  /** The default test client's body credentials (created on first use). */
  testCreds(): Promise<{ client_id: string; client_secret: string }>;
  /**
   * POST a FinqLink call: JSON body with `as`'s test credentials, or `Authorization: Bearer` when `as` has a
   * bearer; `null` sends no credentials. Defaults to the default test client.
   */
  call<B = Record<string, unknown> & ErrorFields>(
    path: string,
    body?: Record<string, unknown>,
    as?: Caller,
    headers?: Record<string, string>,
  ): Promise<CallResult<B>>;
  /** A hosted page request with a cookie jar (one per TestApp): GET, or POST of a form. */
  page(path: string, init?: { method?: 'GET' | 'POST'; form?: Record<string, string> }): Promise<PageResult>;
  close(): Promise<void>;
}

export const testMasterKey = randomBytes(32);

export async function createTestApp(
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    server?: Record<string, unknown>;
    /** A bank connector (a fake, or one pointed at the sandbox bank). */
    connector?: BankConnector;
    /** Extra routes a test registers before the app is ready. */
    routes?: (app: FastifyInstance, services: Services) => void;
    /** Keep info-level logs in `logs` (e.g. why the authorization server refused a request). */
    captureLogs?: boolean;
    /** AIS settings and sleep (see ServiceDeps). */
    ais?: ServiceDeps['ais'];
  } = {},
): Promise<TestApp> {
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const store = await createTestStore();
  const config = parseConfig({
    PUBLIC_URL: 'http://ferry.test',
    LOG_LEVEL: 'silent',
    // Limits are tested on purpose (src/api/guards.test.ts); other tests must not trip them.
    RATE_LIMITS: 'default=0,pay=0,ais=0',
    AUTH_FAILURE_LIMITS: 'client=0,address=0',
    FERRY_MASTER_KEY: testMasterKey.toString('hex'),
    ...options.env,
  });
  const { app, services } = await buildApp(config, {
    store,
    masterKey: testMasterKey,
    checkResponses: true,
    ...(options.clock ? { clock: options.clock } : {}),
    server: { ...(options.captureLogs ? { logger: { level: 'info', stream } } : {}), ...options.server },
    ...(options.connector ? { connector: options.connector } : {}),
    ...(options.ais ? { ais: options.ais } : {}),
    ...(options.captureLogs ? {} : { logger: false }),
  });
  options.routes?.(app, services);
  await app.ready();
  let n = 0;
  const worker = createWorker(services);
  let defaultCreds: Promise<{ client_id: string; client_secret: string }> | undefined;
  const jar = new Map<string, string>();
  const newClient = async (input: Partial<CreateClientInput> = {}) => {
    n += 1;
    const name = input.name ?? `Test client ${n}`;
    const { client, clientSecret } = await services.clients.create({ name, mode: 'test', ...input });
    return { clientId: client.clientId, clientSecret, name: client.name };
  };
  const creds = () => {
    defaultCreds ??= newClient({ name: 'Default client' }).then((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
    }));
    return defaultCreds;
  };
  return {
    logs,
    app,
    services,
    worker,
    store,
    config,
    client: newClient,
    testCreds: creds,
    async liveClient(input = {}) {
      const c = await newClient({ mode: 'live', ...input });
      const res = await app.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`).toString('base64')}`,
        },
        payload: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: (input.scopes ?? clientScopes).map((s) => oauthScopeOf[s]).join(' '),
        }).toString(),
      });
      const token = res.json().access_token;
      if (typeof token !== 'string') throw new Error(`no access token for ${c.clientId}: ${res.body}`);
      return { ...c, bearer: token, client_id: c.clientId };
    },
    async call<B>(path: string, body: Record<string, unknown> = {}, as?: Caller, headers = {}) {
      const who = as === undefined ? await creds() : as;
      const auth = who && 'bearer' in who ? { authorization: `Bearer ${who.bearer}` } : {};
      const fields =
        who === null
          ? {}
          : 'bearer' in who
            ? who.client_id === undefined
              ? {}
              : { client_id: who.client_id }
            : { client_id: who.client_id, client_secret: who.client_secret };
      const res = await app.inject({
        method: 'POST',
        url: path,
        headers: { ...auth, ...headers },
        payload: { ...fields, ...body },
      });
      return { status: res.statusCode, body: res.json() as B, headers: res.headers };
    },
    async page(path, init = {}) {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await app.inject({
        method: init.method ?? 'GET',
        url: path,
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(init.form ? { payload: new URLSearchParams(init.form).toString() } : {}),
      });
      const set = res.headers['set-cookie'];
      for (const line of set === undefined ? [] : Array.isArray(set) ? set : [set]) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        if (eq > 0) jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
      }
      return { status: res.statusCode, body: res.body, headers: res.headers };
    },
    async close() {
      await worker.stop();
      await app.close();
      await store.close();
    },
  };
}
