import { readFileSync } from 'node:fs';

export const CLOCK_TICKS_PER_SECOND = 100;

/** Fields of /proc/<pid>/stat after the command name (state is [0]); null once the process is gone. */
export function procStat(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** utime + stime of a process, in ms (with `children`: of its exited, reaped children instead); 0 once it is gone. */
export function cpuMs(pid: number, children = false): number {
  const fields = procStat(pid);
  if (!fields) return 0;
  const [user, system] = children ? [fields[13], fields[14]] : [fields[11], fields[12]];
  return ((Number(user) + Number(system)) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** A field of /proc/<pid>/status in MiB (VmHWM: peak resident set; VmRSS: current). */
export function memoryMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0; // the process exited
  }
}

/** Busy and total jiffies of the whole machine. */
export function machineTicks(): { busy: number; total: number } {
  const [, ...counters] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const numbers = counters.map(Number);
  const total = numbers.reduce((sum, value) => sum + value, 0);
  return { busy: total - numbers[3] - numbers[4], total }; // idle, iowait
}
