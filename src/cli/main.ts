import { processIo } from './io.js';
import { runCli } from './program.js';

// Long-running commands (start, worker) keep the process alive until a signal; everything else exits with its
// code (stdout/stderr are synchronous for files and pipes on Linux, so nothing printed is lost).
const command = process.argv[2] ?? '';
const code = await runCli(process.argv.slice(2), processIo);
if (code !== 0 || !['start', 'worker', 'sandbox-bank'].includes(command)) process.exit(code);
