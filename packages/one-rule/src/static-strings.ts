import type { Node, TemplateLiteral } from '@babel/types';
import { walk } from './walk';

/**
 * A run of text whose value is known without running the code. `start` is the
 * file offset of `text[0]`; `exact` says the following characters sit at the
 * following offsets, which is false when escapes or splicing make the value
 * differ from the source, so that only `start` can be trusted.
 */
export interface Piece {
  text: string;
  start: number;
  exact: boolean;
}

/** Stands in the text for a value the checker cannot know, e.g. a parameter spliced into a template. */
export const UNKNOWN = '\u0000';

/** The initialisers of a file's `const` declarations, by name (a name may be declared in several scopes). */
export type ConstBindings = ReadonlyMap<string, readonly Node[]>;

/** Collects every `const name = <initialiser>` of a file, in any scope. */
export function collectConsts(root: Node): ConstBindings {
  const consts = new Map<string, Node[]>();
  walk(root, (node) => {
    if (node.type !== 'VariableDeclaration' || node.kind !== 'const') return;
    for (const declarator of node.declarations) {
      if (declarator.id.type !== 'Identifier' || !declarator.init) continue;
      const known = consts.get(declarator.id.name) ?? [];
      known.push(declarator.init);
      consts.set(declarator.id.name, known);
    }
  });
  return consts;
}

// Kysely's helpers that splice their string argument into the SQL as text or
// as an identifier (`sql.table('runs')`, `sql.id('public', 'x')`);
// `raw` also covers `CompiledQuery.raw('...')`.
const SPLICING_HELPERS = new Set(['raw', 'table', 'id', 'ref']);

/**
 * The text `node` evaluates to, as far as it can be known from this file alone:
 * string literals, template literals (tagged or not), `+` concatenation, `const`
 * names with a single declaration, and Kysely's `sql.raw/table/id/ref` with
 * known arguments. Parts that cannot be known appear as {@link UNKNOWN}.
 * Returns undefined when nothing about the value is known.
 */
export function staticPieces(
  node: Node,
  consts: ConstBindings,
  following: ReadonlySet<string> = new Set(),
): Piece[] | undefined {
  const inner = unwrap(node);
  switch (inner.type) {
    case 'StringLiteral': {
      const start = (inner.start ?? 0) + 1;
      const raw = (inner.extra?.raw as string | undefined)?.slice(1, -1);
      return [{ text: inner.value, start, exact: raw === inner.value }];
    }
    case 'TemplateLiteral':
      return templatePieces(inner, consts, following);
    case 'TaggedTemplateExpression':
      return templatePieces(inner.quasi, consts, following);
    case 'BinaryExpression': {
      if (inner.operator !== '+') return undefined;
      const left = staticPieces(inner.left, consts, following);
      const right = staticPieces(inner.right, consts, following);
      if (!left && !right) return undefined;
      return [...(left ?? [unknownAt(inner.left)]), ...(right ?? [unknownAt(inner.right)])];
    }
    case 'Identifier': {
      const bindings = consts.get(inner.name);
      const init = bindings?.length === 1 ? bindings[0] : undefined;
      if (!init || following.has(inner.name)) return undefined;
      return staticPieces(init, consts, new Set([...following, inner.name]));
    }
    case 'CallExpression': {
      const helper = memberName(inner.callee, consts);
      if (!helper || !SPLICING_HELPERS.has(helper) || inner.arguments.length === 0)
        return undefined;
      const pieces: Piece[] = [];
      inner.arguments.forEach((argument, index) => {
        if (index > 0) pieces.push({ text: '.', start: argument.start ?? 0, exact: false });
        pieces.push(...(staticPieces(argument, consts, following) ?? [unknownAt(argument)]));
      });
      return pieces;
    }
    default:
      return undefined;
  }
}

/** `staticPieces` as one string, or undefined unless every part of it is known. */
export function staticString(node: Node, consts: ConstBindings): string | undefined {
  const text = staticPieces(node, consts)
    ?.map((piece) => piece.text)
    .join('');
  return text === undefined || text.includes(UNKNOWN) ? undefined : text;
}

/**
 * The name of the property a member expression reads, whether written
 * `a.name`, `a?.name`, `a['name']` or `a[constHoldingName]`.
 */
export function memberName(node: Node, consts: ConstBindings): string | undefined {
  const callee = unwrap(node);
  if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') {
    return undefined;
  }
  if (!callee.computed) {
    return callee.property.type === 'Identifier' ? callee.property.name : undefined;
  }
  return staticString(callee.property, consts);
}

/** Sees through what does not change a value: parentheses and TypeScript-only wrappers. */
export function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    switch (current.type) {
      case 'ParenthesizedExpression':
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
      case 'TSInstantiationExpression':
        current = current.expression;
        break;
      default:
        return current;
    }
  }
}

function templatePieces(
  template: TemplateLiteral,
  consts: ConstBindings,
  following: ReadonlySet<string>,
): Piece[] {
  const pieces: Piece[] = [];
  template.quasis.forEach((quasi, index) => {
    const text = quasi.value.cooked ?? quasi.value.raw;
    pieces.push({ text, start: quasi.start ?? 0, exact: text === quasi.value.raw });
    const expression = template.expressions[index];
    if (expression) {
      pieces.push(...(staticPieces(expression, consts, following) ?? [unknownAt(expression)]));
    }
  });
  return pieces;
}

function unknownAt(node: Node): Piece {
  return { text: UNKNOWN, start: node.start ?? 0, exact: false };
}
