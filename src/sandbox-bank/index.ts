/** The sandbox bank: a NextGenPSD2 ASPSP simulator for rzb_ro, bt_ro and cec_ro (see docs/sandbox-bank.md). */
export type { BankId, BankProfile } from './banks.js';
export { bankIds, banks, isBankId, romanianProducts } from './banks.js';
export { isValidIban, roIban } from './data/iban.js';
export type { SandboxAccount, SandboxUser } from './data/users.js';
export { findAccountByIban, sandboxUsers } from './data/users.js';
export type { FaultKind, FaultSpec, Faults } from './faults.service.js';
export { faultKinds } from './faults.service.js';
export { migrateSandboxBank, sandboxBankMigrations } from './migrations.js';
export type { CreditorAnswer, FundsEvent, NotifyPolicy } from './notification-policy.js';
export { creditorAnswer, defaultNotifyPolicy } from './notification-policy.js';
export type { Notifier, NotifyPost, NotifyTarget } from './notifications.service.js';
export type { SettlementTiming } from './payment-status.js';
export { defaultTiming } from './payment-status.js';
export type { SandboxBank, SandboxBankOptions } from './sandbox-bank.plugin.js';
export { registerSandboxBank } from './sandbox-bank.plugin.js';
export type { RunningSandboxBank, StandaloneOptions } from './standalone.js';
export { startSandboxBank } from './standalone.js';
