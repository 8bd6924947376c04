export {
  type ChainEntry,
  type ChainState,
  type CheckedEntry,
  type HistoryRow,
  readChainAgainstRows,
  readChainState,
  readEntries,
  readHistory,
} from './chain-reads';
export {
  type CheckpointConflict,
  type CheckpointStore,
  canonicalJson,
  checkpointKey,
  collapseVersions,
  type StoredCheckpoint,
  type StoredCheckpoints,
} from './checkpoint';
export { CONTENT, type ContentSpec, contentHashSql, ENTRY_KINDS } from './content-fields';
export {
  CHAIN_ENCODING,
  type ContentField,
  contentText,
  type EntryKind,
  GENESIS_HASH,
  jsonbString,
  type LinkInput,
  linkHash,
  linkText,
  sha256Hex,
} from './encoding';
export { type AuditExport, EXPORT_FORMAT, type ExportedRow, exportEntity } from './export';
export { fileCheckpointStore } from './file-checkpoint-store';
export { s3CheckpointStore } from './s3-checkpoint-store';
export { SEAL_BATCH, sealAuditChain } from './seal';
export { checkpointStoreFromEnv, DEFAULT_RETENTION_DAYS } from './store-from-env';
export { type VerifyReport, verifyChains } from './verify';
export { type ExportFinding, verifyExport } from './verify-export';
export {
  type Finding,
  type FindingKind,
  type TenantReport,
  verifyTenant,
} from './verify-tenant';
