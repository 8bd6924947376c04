import type { Node } from '@babel/types';
import { type ConstBindings, memberName, staticString, unwrap } from './static-strings';

/** The Kysely query-builder methods that start a write. */
export const KYSELY_WRITE_METHODS: ReadonlySet<string> = new Set([
  'insertInto',
  'replaceInto',
  'updateTable',
  'deleteFrom',
  'mergeInto',
]);

/** A Kysely builder call that writes a domain table. */
export interface BuilderWrite {
  /** File offset of the method name. */
  offset: number;
  method: string;
  table: string;
}

/**
 * If `node` is a call of a Kysely write method (`db.updateTable(...)`,
 * `db?.insertInto(...)`, `db['deleteFrom'](...)`, `db.mergeInto.call(db, ...)`)
 * whose table argument is one of `domainTables`, returns one entry per domain
 * table it names. The table may be aliased (`'runs as r'`),
 * schema-qualified, quoted, a template without substitutions, an array, or a
 * `const` of the same file. A table name that depends on run-time values is
 * not reported: the checker cannot know it.
 */
export function findBuilderWrites(
  node: Node,
  consts: ConstBindings,
  domainTables: ReadonlySet<string>,
): BuilderWrite[] {
  if (node.type !== 'CallExpression' && node.type !== 'OptionalCallExpression') return [];
  let callee = unwrap(node.callee);
  let args: readonly Node[] = node.arguments;
  let method = memberName(callee, consts);
  // `db.insertInto.call(db, t)` and `.apply(db, [t])` call the same method.
  if (
    (method === 'call' || method === 'apply') &&
    (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression')
  ) {
    callee = unwrap(callee.object);
    args = args.slice(1);
    method = memberName(callee, consts);
  }
  if (!method || !KYSELY_WRITE_METHODS.has(method)) return [];
  if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return [];

  const offset = callee.property.start ?? node.start ?? 0;
  const tables = new Set(
    args
      .flatMap((arg) => tableArguments(arg, consts))
      .map(tableOf)
      .filter((table) => domainTables.has(table)),
  );
  return [...tables].map((table) => ({ offset, method, table }));
}

/** The strings a table argument may hold: every element of an array, every `const` of that name. */
function tableArguments(
  node: Node,
  consts: ConstBindings,
  following = new Set<string>(),
): string[] {
  const inner = unwrap(node);
  if (inner.type === 'ArrayExpression') {
    return inner.elements.flatMap((element) =>
      element ? tableArguments(element, consts, following) : [],
    );
  }
  if (inner.type === 'Identifier' && !following.has(inner.name)) {
    // A name declared `const` in several scopes: any of them may be the one used.
    const inits = consts.get(inner.name) ?? [];
    if (inits.length > 1) {
      const next = new Set([...following, inner.name]);
      return inits.flatMap((init) => tableArguments(init, consts, next));
    }
  }
  const value = staticString(inner, consts);
  return value === undefined ? [] : [value];
}

/** `'public.runs as r'` → `runs`: drop the alias, the schema and quotes. */
function tableOf(reference: string): string {
  const [name = ''] = reference.trim().split(/\s+/);
  const last = name.split('.').at(-1) ?? '';
  return last.startsWith('"') ? last.replaceAll('"', '') : last.toLowerCase();
}
