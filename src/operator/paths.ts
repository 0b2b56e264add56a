/** Where the operator API lives on the operator listener (the CLI's remote client calls the same paths). */
export const OPERATOR_BASE = '/operator/v1';
