import { type Command, InvalidArgumentError } from 'commander';
import type { CliIo } from './io.js';
import type { SandboxBankCommandOptions } from './sandbox-bank.run.js';

const port = (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
};

/** `ferry sandbox-bank --port N [--tls-cert F --tls-key F [--client-ca F]]`: the NextGenPSD2 simulator on its own. */
export function addSandboxBankCommand(program: Command, io: CliIo): void {
  program
    .command('sandbox-bank')
    .description('Run the sandbox bank (NextGenPSD2 simulator for rzb_ro, bt_ro, cec_ro) on its own')
    .requiredOption('--port <port>', 'port to listen on', port)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--tls-cert <file>', 'server certificate (PEM); with --tls-key, serve HTTPS')
    .option('--tls-key <file>', 'server private key (PEM)')
    .option('--client-ca <file>', 'CA bundle (PEM): API calls need a client certificate (QWAC) it issued')
    .option('--database-url <url>', 'PostgreSQL server (default: embedded database in --data-dir)')
    .option('--data-dir <dir>', 'embedded database folder', '.ferry/sandbox-bank')
    .option('--public-url <url>', 'origin used in links and SCA redirects (default: from each request)')
    .option(
      '--admin-token <token>',
      'enables /sandbox-bank/<id>/admin (fault injection) with this bearer token',
    )
    .option(
      '--notify-url <url>',
      'Ferry public URL: funds notifications go to <url>/bank-notifications/<id> (env FERRY_SANDBOX_NOTIFY_URL)',
    )
    .option(
      '--notify-key <key>',
      'Ferry bank-notification key, from `ferry keys bank-notifications` (env FERRY_SANDBOX_NOTIFY_KEY)',
    )
    .action(async (options: SandboxBankCommandOptions) => {
      // The bank and its database load only when this command runs.
      const { runSandboxBank } = await import('./sandbox-bank.run.js');
      const running = await runSandboxBank(options, io);
      const stop = () => {
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
