import type { Command } from 'commander';
import { parseConfig, resolveMasterKey } from '../config/index.js';
import type { CliIo } from './io.js';
import { openOperator, operatorOver, type ServicesOpener, withOperator } from './operator-session.js';

export type { ServicesOpener } from './operator-session.js';

/** `ferry keys rotate` (webhook signing keys) and `ferry keys list` (what /.well-known/jwks.json publishes). */
export function addKeysCommands(program: Command, io: CliIo, services?: ServicesOpener): void {
  const keys = program.command('keys').description('Webhook signing keys (JWKS), bank-notification key');
  const open = services ? operatorOver(services) : openOperator;

  keys
    .command('rotate')
    .description('Make a new current key; the current one becomes previous and the older one is dropped')
    .action(async () => {
      const result = await withOperator(io, open, (op) => op.rotateKeys());
      io.out(JSON.stringify({ current: result.current, previous: result.previous, dropped: result.dropped }));
    });

  keys
    .command('list')
    .description('Print the published public keys (current first)')
    .action(async () => {
      io.out(JSON.stringify(await withOperator(io, open, (op) => op.listKeys()), null, 2));
    });

  keys
    .command('bank-notifications')
    .description('Print the key banks sign funds notifications with (ferry sandbox-bank --notify-key)')
    .action(async () => {
      const { bankNotificationRootKey } = await import('../pay/index.js');
      io.out(bankNotificationRootKey(resolveMasterKey(parseConfig(io.env, io.cwd))).toString('hex'));
    });
}
