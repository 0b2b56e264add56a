import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (ms) used so far by every process of this machine named `name` (default: the PostgreSQL server and
 * its backends), from /proc: utime + stime, in clock ticks of 10 ms. Backends that exit in between drop out of
 * the sum, so take readings around a run whose connections stay open. Undefined where /proc is not readable.
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
      total += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
      found = true;
    }
  } catch {
    return undefined;
  }
  return found ? total * 10 : undefined;
}
