import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (ms) used so far by every process of this machine named `name` (default: the PostgreSQL server and
 * its backends), from /proc, in clock ticks of 10 ms: each one's utime + stime, plus cutime + cstime, the time of
 * its children that have exited. The postmaster reaps every backend, so a backend that exits between two readings
 * still counts (before, its time dropped out of the sum and a drain could show a negative cost).
 * Undefined where /proc is not readable.
 */
export function processCpuMs(name = 'postgres'): number | undefined {
  let total = 0;
  let found = false;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== name) continue;
      const fields = stat.slice(close + 2).split(' ');
      // utime, stime, cutime, cstime: fields 14 to 17 of stat
      total += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      found = true;
    }
  } catch {
    return undefined;
  }
  return found ? total * 10 : undefined;
}
