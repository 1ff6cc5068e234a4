// CPU time of processes, read from /proc (Linux): the benchmark divides the difference over a run by the
// workflows it ran. Elsewhere there is no /proc, and the benchmark says so instead of guessing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Linux reports utime and stime in clock ticks; 100 per second on every common kernel configuration. */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) used so far by the process and its children that have ended (PostgreSQL's
 * connections come and go), or undefined when it cannot be read.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Every process whose command line matches, for a stack this script did not start. */
export function findProcesses(matches: (argv: string[]) => boolean): number[] {
  return (existsSync('/proc') ? readdirSync('/proc') : [])
    .filter((entry) => {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) return false;
      try {
        return matches(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}
