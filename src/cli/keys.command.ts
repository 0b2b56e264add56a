import type { Command } from 'commander';
import { parseConfig, resolveMasterKey } from '../config/index.js';
import { bankNotificationRootKey } from '../pay/index.js';
import { openRuntime } from '../runtime.js';
import type { Services } from '../services.js';
import type { CliIo } from './io.js';

/** Opens what a one-shot command needs; tests pass one that hands over services they already hold. */
export type ServicesOpener = (io: CliIo) => Promise<{ services: Services; close(): Promise<void> }>;

const openFromEnv: ServicesOpener = (io) => openRuntime(parseConfig(io.env, io.cwd));

/** `ferry keys rotate` (webhook signing keys) and `ferry keys list` (what /.well-known/jwks.json publishes). */
export function addKeysCommands(program: Command, io: CliIo, open: ServicesOpener = openFromEnv): void {
  const keys = program.command('keys').description('Webhook signing keys (JWKS), bank-notification key');

  keys
    .command('rotate')
    .description('Make a new current key; the current one becomes previous and the older one is dropped')
    .action(async () => {
      const runtime = await open(io);
      try {
        // The current key becomes previous, a new one current, the older one is dropped.
        const result = await runtime.services.webhooks.keys.rotate();
        io.out(
          JSON.stringify({ current: result.current, previous: result.previous, dropped: result.dropped }),
        );
      } finally {
        await runtime.close();
      }
    });

  keys
    .command('list')
    .description('Print the published public keys (current first)')
    .action(async () => {
      const runtime = await open(io);
      try {
        io.out(JSON.stringify(await runtime.services.webhooks.keys.jwks(), null, 2));
      } finally {
        await runtime.close();
      }
    });

  keys
    .command('bank-notifications')
    .description('Print the key banks sign funds notifications with (ferry sandbox-bank --notify-key)')
    .action(() => {
      io.out(bankNotificationRootKey(resolveMasterKey(parseConfig(io.env, io.cwd))).toString('hex'));
    });
}
