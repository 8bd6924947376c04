import { type Piece, UNKNOWN } from './static-strings';

/** A raw SQL statement that writes a domain table. */
export interface SqlWrite {
  /** File offset of the statement's first keyword. */
  offset: number;
  /** The statement's shape, e.g. `UPDATE runs` or `ALTER TABLE runs … DISABLE TRIGGER`. */
  statement: string;
  table: string;
}

type Token =
  | { kind: 'word'; value: string; at: number } // unquoted, lower-cased: a keyword or a name
  | { kind: 'quoted'; value: string; at: number } // "double-quoted" name, case kept
  | { kind: 'unknown'; at: number }
  | { kind: 'punct'; value: string; at: number };

/**
 * Finds the statements in a piece of (possibly SQL) text that write one of
 * `domainTables`: INSERT INTO, UPDATE [ONLY], DELETE FROM [ONLY], TRUNCATE,
 * MERGE INTO, COPY … FROM and ALTER TABLE … DISABLE TRIGGER. Keywords match in
 * any case with any whitespace or comments between them; a table may carry a
 * schema and double quotes. Text inside SQL string literals is searched too,
 * because `EXECUTE '...'` runs it. Reads and mentions are not writes.
 */
export function findSqlWrites(
  pieces: readonly Piece[],
  domainTables: ReadonlySet<string>,
): SqlWrite[] {
  const text = pieces.map((piece) => piece.text).join('');
  // Cheap exit: almost every string in a code base is not SQL.
  if (!/insert|update|delete|truncate|merge|copy|alter/i.test(text)) return [];
  const offsetOf = sourceOffsets(pieces);
  const writes: SqlWrite[] = [];
  for (const tokens of tokenize(text)) {
    for (const found of writesIn(tokens, domainTables)) {
      writes.push({ offset: offsetOf(found.at), statement: found.statement, table: found.table });
    }
  }
  return writes;
}

function writesIn(
  tokens: readonly Token[],
  domainTables: ReadonlySet<string>,
): Array<{ at: number; statement: string; table: string }> {
  const found: Array<{ at: number; statement: string; table: string }> = [];
  const word = (index: number): string | undefined => {
    const token = tokens[index];
    return token?.kind === 'word' ? token.value : undefined;
  };
  const punct = (index: number): string | undefined => {
    const token = tokens[index];
    return token?.kind === 'punct' ? token.value : undefined;
  };
  const skipWord = (index: number, value: string): number =>
    word(index) === value ? index + 1 : index;
  // A possibly schema-qualified name: the last part is the table.
  const nameAt = (index: number): { table: string | undefined; next: number } => {
    let table: string | undefined;
    let next = index;
    for (;;) {
      const token = tokens[next];
      if (!token || token.kind === 'punct') break;
      table = token.kind === 'unknown' ? undefined : token.value;
      next += 1;
      if (punct(next) !== '.') break;
      next += 1;
    }
    return { table, next };
  };
  const report = (at: number, statement: string, table: string | undefined): void => {
    if (table === undefined || !domainTables.has(table)) return;
    found.push({ at, statement: statement.replace('%', table), table });
  };

  tokens.forEach((token, i) => {
    if (token.kind !== 'word') return;
    switch (token.value) {
      case 'insert':
        if (word(i + 1) === 'into') report(token.at, 'INSERT INTO %', nameAt(i + 2).table);
        break;
      case 'update':
        report(token.at, 'UPDATE %', nameAt(skipWord(i + 1, 'only')).table);
        break;
      case 'delete':
        if (word(i + 1) === 'from')
          report(token.at, 'DELETE FROM %', nameAt(skipWord(i + 2, 'only')).table);
        break;
      case 'merge':
        if (word(i + 1) === 'into')
          report(token.at, 'MERGE INTO %', nameAt(skipWord(i + 2, 'only')).table);
        break;
      case 'truncate': {
        // TRUNCATE [TABLE] [ONLY] a [*] [, [ONLY] b [*] ...]
        let next = skipWord(i + 1, 'table');
        for (;;) {
          const name = nameAt(skipWord(next, 'only'));
          report(token.at, 'TRUNCATE %', name.table);
          next = punct(name.next) === '*' ? name.next + 1 : name.next;
          if (punct(next) !== ',') break;
          next += 1;
        }
        break;
      }
      case 'copy': {
        // COPY t [(columns)] FROM ... loads rows; COPY t TO ... only reads.
        const name = nameAt(i + 1);
        let next = name.next;
        if (punct(next) === '(') {
          while (next < tokens.length && punct(next) !== ')') next += 1;
          next += 1;
        }
        if (word(next) === 'from') report(token.at, 'COPY % … FROM', name.table);
        break;
      }
      case 'alter': {
        // Disabling a domain table's triggers switches off the database's own guard.
        if (word(i + 1) !== 'table') break;
        let next = skipWord(i + 2, 'if');
        next = skipWord(next, 'exists');
        const name = nameAt(skipWord(next, 'only'));
        for (let j = name.next; j < tokens.length && punct(j) !== ';'; j += 1) {
          if (word(j) === 'disable' && word(j + 1) === 'trigger') {
            report(token.at, 'ALTER TABLE % … DISABLE TRIGGER', name.table);
            break;
          }
        }
        break;
      }
    }
  });
  return found;
}

/**
 * Splits SQL text into token lists: the first for the text itself, one more
 * for the contents of each single-quoted string literal in it. Comments
 * (`--`, nested `/* *\/`) are dropped; dollar quotes are dropped but their
 * bodies kept, since they are usually function bodies.
 */
function tokenize(text: string, from = 0, to = text.length): Token[][] {
  const tokens: Token[] = [];
  const nested: Token[][] = [];
  let i = from;
  while (i < to) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i += 1;
    } else if (text.startsWith('--', i)) {
      const end = text.indexOf('\n', i);
      i = end === -1 || end > to ? to : end;
    } else if (text.startsWith('/*', i)) {
      i = endOfBlockComment(text, i, to);
    } else if (ch === "'") {
      // E'...' strings take backslash escapes.
      const previous = tokens.at(-1);
      const escapes = previous?.kind === 'word' && previous.value === 'e' && previous.at === i - 1;
      const end = endOfQuoted(text, i, to, "'", escapes);
      const closed = end - 1 > i && text.charAt(end - 1) === "'";
      nested.push(...tokenize(text, i + 1, closed ? end - 1 : end));
      tokens.push({ kind: 'punct', value: "'", at: i });
      i = end;
    } else if (ch === '"') {
      const end = endOfQuoted(text, i, to, '"', false);
      tokens.push({
        kind: 'quoted',
        value: text.slice(i + 1, end - 1).replaceAll('""', '"'),
        at: i,
      });
      i = end;
    } else if (ch === UNKNOWN) {
      tokens.push({ kind: 'unknown', at: i });
      i += 1;
    } else if (ch === '$') {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$|^\$\d+/.exec(text.slice(i, to));
      if (tag?.[0].endsWith('$') === false) tokens.push({ kind: 'punct', value: tag[0], at: i });
      i += tag ? tag[0].length : 1;
    } else {
      const name = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(text.slice(i, to));
      if (name) {
        tokens.push({ kind: 'word', value: name[0].toLowerCase(), at: i });
        i += name[0].length;
      } else {
        tokens.push({ kind: 'punct', value: ch, at: i });
        i += 1;
      }
    }
  }
  return [tokens, ...nested];
}

function endOfBlockComment(text: string, start: number, to: number): number {
  let depth = 0;
  let i = start;
  while (i < to) {
    if (text.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return to;
}

/** Index just past the closing quote (a doubled quote is an escaped one). */
function endOfQuoted(
  text: string,
  start: number,
  to: number,
  quote: string,
  backslash: boolean,
): number {
  let i = start + 1;
  while (i < to) {
    const ch = text.charAt(i);
    if (backslash && ch === '\\') {
      i += 2;
    } else if (ch === quote) {
      if (text.charAt(i + 1) !== quote) return i + 1;
      i += 2;
    } else {
      i += 1;
    }
  }
  return to;
}

/** Maps an index in the joined text of `pieces` back to a file offset. */
function sourceOffsets(pieces: readonly Piece[]): (index: number) => number {
  return (index) => {
    let begin = 0;
    for (const piece of pieces) {
      const end = begin + piece.text.length;
      if (index < end) return piece.exact ? piece.start + (index - begin) : piece.start;
      begin = end;
    }
    return pieces.at(-1)?.start ?? 0;
  };
}
