export { AccountDirectory } from './account-directory';
export { accountEntries, type EntryPosting, type JournalEntry } from './account-entries';
export { type OpenAccount, openAccounts } from './accounts';
export { minorAmount } from './amounts';
export { type AccountBalance, accountBalances } from './balances';
export { bookEntry, type EntryCause } from './book-entry';
export {
  type AccountRef,
  isDebitNormal,
  type JournalEntryDraft,
  type PostingDraft,
  transfer,
} from './journal';
export { type DefaultLimit, syncLedgerRules } from './rules';
export { type AccountStanding, accountStanding, limitFor } from './standing';
