/**
 * The sandbox bank in its own process for bench/ais.ts, as a real bank would be: its own port and database, so
 * generating and serialising a million lines does not share Ferry's event loop. Its clock is fixed at
 * BENCH_AIS_TODAY. Prints `READY <url>` when listening; stops on SIGTERM.
 */
import { startSandboxBank } from '../../src/sandbox-bank/index.js';
import { ManualClock } from '../../src/shared/clock.js';

const databaseUrl = process.env.BENCH_SANDBOX_DATABASE_URL;
if (!databaseUrl) throw new Error('BENCH_SANDBOX_DATABASE_URL is required');
const clock = new ManualClock(process.env.BENCH_AIS_TODAY ?? '2025-12-31T12:00:00Z');
const bank = await startSandboxBank({ port: 0, host: '127.0.0.1', databaseUrl, clock, logger: false });
process.stdout.write(`READY ${bank.url}\n`);
process.on('SIGTERM', () => {
  bank.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
