// Public surface of the ledger: grant, debit, refund, balances and reconciliation.
export {
  balanceOf,
  debit,
  debitWith,
  grant,
  insufficientCredits,
  type LedgerMismatch,
  type LedgerPage,
  listEntries,
  reconcile,
  refund,
} from './ledger.service.js';
