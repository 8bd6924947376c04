/**
 * What changed between an audit row's before and after snapshots, field by
 * field: only the fields that differ, plus every field when there is no
 * before (a creation). Values are compared as JSON, so nested objects count
 * as changed when any part of them did.
 * @returns {{ field: string, before: unknown, after: unknown, kind: 'added' | 'removed' | 'changed' }[]}
 */
export function diffSnapshots(before, after) {
  const old = before ?? {};
  const now = after ?? {};
  const fields = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
  const changes = [];
  for (const field of fields) {
    const inOld = Object.hasOwn(old, field);
    const inNow = Object.hasOwn(now, field);
    if (inOld && inNow && JSON.stringify(old[field]) === JSON.stringify(now[field])) continue;
    changes.push({
      field,
      before: inOld ? old[field] : undefined,
      after: inNow ? now[field] : undefined,
      kind: !inOld ? 'added' : !inNow ? 'removed' : 'changed',
    });
  }
  return changes;
}
