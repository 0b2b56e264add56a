import type { Command } from 'commander';
import { addSettingsFlags, modeOption, settingsFromFlags } from './client-flags.js';
import { CliError, type CliIo } from './io.js';
import { type OperatorOpener, openOperator, withOperator } from './operator-session.js';

/**
 * `ferry clients create | list | show | update | rotate-secret | rotate-app-key`: directly on the database, or
 * through a running server's operator API (operator-session.ts decides), the same either way.
 */
export function addClientsCommands(program: Command, io: CliIo, open: OperatorOpener = openOperator): void {
  const clients = program.command('clients').description('Manage API clients (tenants)');
  const run = <T>(fn: Parameters<typeof withOperator<T>>[2]) => withOperator(io, open, fn);
  const print = (json: unknown, lines: string[], asJson: unknown) => {
    if (asJson) io.out(JSON.stringify(json));
    else for (const line of lines) io.out(line);
  };

  addSettingsFlags(
    clients
      .command('create')
      .description('Create an API client; prints client_id, client_app_key and, once, client_secret')
      .requiredOption('--name <name>', 'application name (api_client_app in responses)')
      .addOption(modeOption()),
  ).action(async (opts) => {
    if (opts.mode !== 'test' && opts.mode !== 'live') throw new CliError('--mode must be test or live');
    const input = { ...(await settingsFromFlags(opts)), name: String(opts.name), mode: opts.mode };
    const created = await run((op) => op.createClient(input));
    print(
      created,
      [
        `Created ${created.mode} API client "${created.name}"`,
        `client_id:      ${created.client_id}`,
        `client_secret:  ${created.client_secret}`,
        `client_app_key: ${created.client_app_key}`,
        'The secret is shown only now; Ferry stores a hash of it.',
      ],
      opts.json,
    );
  });

  addSettingsFlags(
    clients
      .command('update')
      .description("Change a client's settings: only the flags given change; --disable refuses it at once")
      .argument('<client_id>')
      .option('--name <name>', 'application name')
      .option('--enable', 'let the client authenticate again')
      .option('--disable', "refuse the client's credentials and tokens from now on"),
  ).action(async (clientId: string, opts) => {
    if (opts.enable && opts.disable) throw new CliError('--enable and --disable exclude each other');
    const input = await settingsFromFlags(opts);
    if (opts.enable || opts.disable) input.enabled = Boolean(opts.enable);
    if (Object.keys(input).length === 0)
      throw new CliError('nothing to change: give at least one setting flag');
    const updated = await run((op) => op.updateClient(clientId, input));
    print(updated, [`Updated API client ${updated.client_id} (${Object.keys(input).join(', ')})`], opts.json);
  });

  clients
    .command('list')
    .description('List API clients')
    .option('--json', 'print a JSON array')
    .action(async (opts) => {
      const list = await run((op) => op.listClients());
      if (opts.json) return io.out(JSON.stringify(list));
      if (list.length === 0) io.out('No API clients yet: ferry clients create --name "My shop"');
      for (const c of list) {
        const state = c.enabled ? c.mode : `${c.mode},disabled`;
        io.out([c.client_id, state, c.scopes.join(','), c.created_at, c.name].join('\t'));
      }
    });

  clients
    .command('show')
    .description('Print every setting of one client (never its secret)')
    .argument('<client_id>')
    .action(async (clientId: string) => {
      io.out(JSON.stringify(await run((op) => op.getClient(clientId)), null, 2));
    });

  clients
    .command('rotate-secret')
    .description('Replace a client secret; prints the new one once (the old one stops working at once)')
    .argument('<client_id>')
    .option('--json', 'print one JSON object')
    .action(async (clientId: string, opts) => {
      const rotated = await run((op) => op.rotateSecret(clientId));
      print(
        rotated,
        [`client_secret: ${rotated.client_secret}`, 'The previous secret no longer works.'],
        opts.json,
      );
    });

  clients
    .command('rotate-app-key')
    .description('Replace a client_app_key of the classic API (the old one stops working at once)')
    .argument('<client_id>')
    .option('--json', 'print one JSON object')
    .action(async (clientId: string, opts) => {
      const rotated = await run((op) => op.rotateAppKey(clientId));
      print(rotated, [`client_app_key: ${rotated.client_app_key}`], opts.json);
    });
}
