import type { Command } from 'commander';
import { CliError, type CliIo } from './io.js';
import { openOperator, withOperator } from './operator-session.js';

/** `ferry audit`: the newest operator actions (who, what, when, outcome; never a secret). */
export function addAuditCommand(program: Command, io: CliIo): void {
  program
    .command('audit')
    .description('Show the newest operator actions (CLI, operator API, console)')
    .option('--limit <n>', 'how many (1-500)', '50')
    .option('--json', 'print a JSON array')
    .action(async (opts) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw new CliError('--limit must be 1 to 500');
      const entries = await withOperator(io, openOperator, (op) => op.audit(limit));
      if (opts.json) return io.out(JSON.stringify(entries));
      for (const e of entries) io.out([e.at, e.actor, e.action, e.target ?? '-', e.outcome].join('\t'));
    });
}
