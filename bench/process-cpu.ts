import { readFileSync } from 'node:fs';

/** Linux's clock tick for /proc times; USER_HZ is 100 on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

/**
 * CPU milliseconds a process tree has spent so far: the process itself, the
 * children it has reaped (their time lands in its `cutime`/`cstime`), and the
 * children still alive. For a postmaster that is every backend, autovacuum
 * worker and background process of the server, so CPU per operation can be
 * compared across rounds even when the machine's other tenants make wall
 * time noisy. Undefined where /proc cannot tell (not Linux, process gone).
 */
export function processTreeCpuMs(pid: number): number | undefined {
  const own = statTicks(pid, true);
  if (own === undefined) return undefined;
  let ticks = own;
  for (const child of childrenOf(pid)) ticks += statTicks(child, false) ?? 0;
  return (ticks / TICKS_PER_SECOND) * 1000;
}

function statTicks(pid: number, withReapedChildren: boolean): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return (utime ?? 0) + (stime ?? 0) + (withReapedChildren ? (cutime ?? 0) + (cstime ?? 0) : 0);
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
