import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ApiClient, ClientMode, ClientScope, TokenAuthMethod } from '../auth/index.js';
import { parseConfig } from '../config/index.js';
import { openRuntime } from '../runtime.js';
import { CliError, type CliIo } from './io.js';

function describe(client: ApiClient) {
  return {
    client_id: client.clientId,
    name: client.name,
    mode: client.mode,
    scopes: client.scopes,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    ux_template: client.uxTemplate,
    webhook_url: client.webhookUrl,
    tracking_required: client.trackingRequired,
    created_at: client.createdAt.toISOString(),
  };
}

function readJwks(file: string): { keys: Record<string, unknown>[] } {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    // A single JWK is accepted as well as a JWK Set.
    if (parsed && typeof parsed === 'object' && 'keys' in parsed)
      return parsed as { keys: Record<string, unknown>[] };
    return { keys: [parsed as Record<string, unknown>] };
  } catch (error) {
    throw new CliError(`--jwks-file ${file}: ${(error as Error).message}`);
  }
}

async function withServices<T>(
  io: CliIo,
  fn: (services: Awaited<ReturnType<typeof openRuntime>>['services']) => Promise<T>,
) {
  const runtime = await openRuntime(parseConfig(io.env, io.cwd));
  try {
    return await fn(runtime.services);
  } finally {
    await runtime.close();
  }
}

export function addClientsCommands(program: Command, io: CliIo): void {
  const clients = program.command('clients').description('Manage API clients (tenants)');

  clients
    .command('create')
    .description('Create an API client; prints client_id and, once, client_secret')
    .requiredOption('--name <name>', 'application name (api_client_app in responses)')
    .option('--mode <mode>', 'test or live', 'test')
    .option('--scopes <list>', 'comma-separated: pay,ais', 'pay,ais')
    .option('--webhook-url <url>', 'default webhook URL')
    .option('--ux-template <name>', 'default hosted-page template')
    .option('--jwks-file <file>', 'public JWK Set for private_key_jwt')
    .option(
      '--auth-method <method>',
      'token endpoint auth: client_secret_basic, private_key_jwt, tls_client_auth',
    )
    .option('--tls-subject-dn <dn>', 'client certificate subject DN (tls_client_auth)')
    .option('--tls-cert-thumbprint <x5t>', 'bind tokens to this certificate (base64url SHA-256)')
    .option('--tracking-required', 'make tracking ids mandatory')
    .option('--json', 'print one JSON object')
    .action(async (opts) => {
      const mode = opts.mode as ClientMode;
      if (mode !== 'test' && mode !== 'live') throw new CliError('--mode must be test or live');
      const created = await withServices(io, (s) =>
        s.clients.create({
          name: opts.name,
          mode,
          scopes: String(opts.scopes)
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean) as ClientScope[],
          webhookUrl: opts.webhookUrl ?? null,
          ...(opts.uxTemplate ? { uxTemplate: opts.uxTemplate } : {}),
          jwks: opts.jwksFile ? readJwks(opts.jwksFile) : null,
          ...(opts.authMethod ? { tokenEndpointAuthMethod: opts.authMethod as TokenAuthMethod } : {}),
          tlsSubjectDn: opts.tlsSubjectDn ?? null,
          tlsCertThumbprint: opts.tlsCertThumbprint ?? null,
          trackingRequired: Boolean(opts.trackingRequired),
        }),
      );
      if (opts.json) {
        io.out(JSON.stringify({ ...describe(created.client), client_secret: created.clientSecret }));
        return;
      }
      io.out(`Created ${created.client.mode} API client "${created.client.name}"`);
      io.out(`client_id:     ${created.client.clientId}`);
      io.out(`client_secret: ${created.clientSecret}`);
      io.out('The secret is shown only now; Ferry stores a hash of it.');
    });

  clients
    .command('list')
    .description('List API clients')
    .option('--json', 'print a JSON array')
    .action(async (opts) => {
      const list = await withServices(io, (s) => s.clients.list());
      if (opts.json) {
        io.out(JSON.stringify(list.map(describe)));
        return;
      }
      if (list.length === 0) io.out('No API clients yet: ferry clients create --name "My shop"');
      for (const c of list) {
        io.out([c.clientId, c.mode, c.scopes.join(','), c.createdAt.toISOString(), c.name].join('\t'));
      }
    });

  clients
    .command('rotate-secret')
    .description('Replace a client secret; prints the new one once (the old one stops working at once)')
    .argument('<client_id>')
    .option('--json', 'print one JSON object')
    .action(async (clientId: string, opts) => {
      const secret = await withServices(io, (s) => s.clients.rotateSecret(clientId));
      if (opts.json) io.out(JSON.stringify({ client_id: clientId, client_secret: secret }));
      else io.out(`client_secret: ${secret}\nThe previous secret no longer works.`);
    });
}
