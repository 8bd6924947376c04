export { ALLOW_MARKER, type AllowComments, readAllowComments } from './allow-comments';
export {
  type FindViolationsOptions,
  findViolations,
  isAllowed,
  type SourceFile,
  type Violation,
  type ViolationKind,
} from './find-violations';
export { type BuilderWrite, findBuilderWrites, KYSELY_WRITE_METHODS } from './kysely-writes';
export { formatReport, formatViolation } from './report';
export {
  ALLOWED_GLOBS,
  IGNORED_DIRECTORIES,
  IGNORED_PATHS,
  listSourceFiles,
  type ScanResult,
  SOURCE_EXTENSIONS,
  scanRepository,
} from './scan';
export { findSqlWrites, type SqlWrite } from './sql-writes';
export { type Piece, staticPieces, UNKNOWN } from './static-strings';
