import { Command, CommanderError } from 'commander';
import { ConfigError, parseConfig } from '../config/index.js';
import { ApiError } from '../shared/errors.js';
import { addAuditCommand } from './audit.command.js';
import { addClientsCommands } from './clients.command.js';
import { CliError, type CliIo } from './io.js';
import { addKeysCommands } from './keys.command.js';
import { addSandboxBankCommand } from './sandbox-bank.command.js';

/** Extra commands contributed by modules (sandbox bank, keys), each adding itself to the program. */
export type CommandPlugin = (program: Command, io: CliIo) => void;

export function buildProgram(io: CliIo, plugins: CommandPlugin[] = []): Command {
  const program = new Command('ferry')
    .description('Ferry: a self-hosted open-banking gateway (FinqLink-compatible API over NextGenPSD2)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('start')
    .description('Run the API, hosted pages, sandbox bank and background worker in one process')
    .action(async () => {
      const config = parseConfig(io.env, io.cwd);
      // Each command loads what it runs (here the whole server); `ferry --help` and the one-shot commands do not.
      const [{ startFerry, stopOnSignals }, { bootstrapFirstRun }] = await Promise.all([
        import('../main.js'),
        import('./first-run.js'),
      ]);
      const running = await startFerry(config, { api: true, worker: true });
      const intro = await bootstrapFirstRun(running.services);
      const address = running.app?.server.address();
      const host = address && typeof address === 'object' ? address : undefined;
      const listening = host
        ? `${config.tls ? 'https' : 'http'}://${host.family === 'IPv6' ? `[${host.address}]` : host.address}:${host.port}`
        : '';
      io.out(
        `Ferry listening on ${listening} (public URL ${config.publicUrl}, ${running.services.store.kind} database)`,
      );
      if (running.operatorUrl)
        io.out(`Operator API on ${running.operatorUrl} (ferry clients/keys use it while this runs)`);
      for (const line of intro ?? []) io.out(line);
      stopOnSignals(running, io.err);
    });

  program
    .command('worker')
    .description('Run background work only (webhook delivery, refresh jobs, sweeps); scale out with several')
    .action(async () => {
      const config = parseConfig(io.env, io.cwd);
      const { startFerry, stopOnSignals } = await import('../main.js');
      const running = await startFerry(config, { api: false, worker: true });
      io.out(`Ferry worker running (${running.services.store.kind} database)`);
      stopOnSignals(running, io.err);
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      const config = parseConfig(io.env, io.cwd);
      const { migrate, openStore } = await import('../store/index.js');
      const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const applied = await migrate(store);
        io.out(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
      } finally {
        await store.close();
      }
    });

  addClientsCommands(program, io);
  addKeysCommands(program, io);
  addAuditCommand(program, io);
  addSandboxBankCommand(program, io);
  for (const plugin of plugins) plugin(program, io);
  return program;
}

/** Runs the CLI; returns the exit code for one-shot commands (long-running ones keep the process alive). */
export async function runCli(argv: string[], io: CliIo, plugins: CommandPlugin[] = []): Promise<number> {
  const program = buildProgram(io, plugins);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ConfigError || error instanceof CliError) {
      io.err(`ferry: ${error.message}`);
      return 2;
    }
    if (error instanceof ApiError) {
      io.err(`ferry: ${error.message}`);
      return 2;
    }
    io.err(`ferry: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
