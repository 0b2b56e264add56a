/** Ferry's way to banks: the BankConnector contract and its NextGenPSD2 implementation. */

export { bankError, errorFromResponse, tppMessagesOf } from './bank-error.js';
export type { BankCallSubject } from './call-subject.js';
export { bankCallSubject, withBankCallSubject } from './call-subject.js';
export { createDevQsealc } from './dev-qsealc.js';
export type { Exchange } from './http.js';
export type { BankCall, BankCallObserver } from './metered.js';
export { meteredConnector } from './metered.js';
export type { NextGenPsd2Connector, NextGenPsd2ConnectorOptions } from './nextgenpsd2.connector.js';
export { createNextGenPsd2Connector, psuIp } from './nextgenpsd2.connector.js';
export type * from './types.js';
