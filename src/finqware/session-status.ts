/**
 * A classic session's life: created with its first nonce, in progress once a step is accepted, then completed
 * (a temp_token was issued) or failed (the bank or the user said no, or the flow expired). Pure: no I/O.
 */
export const sessionStatuses = [
  'SESSION_CREATED',
  'SESSION_IN_PROGRESS',
  'SESSION_COMPLETED',
  'SESSION_FAILED',
] as const;
export type SessionStatus = (typeof sessionStatuses)[number];

export type SessionEvent = 'step_accepted' | 'completed' | 'failed';

const transitions: Record<SessionStatus, Partial<Record<SessionEvent, SessionStatus>>> = {
  SESSION_CREATED: { step_accepted: 'SESSION_IN_PROGRESS', failed: 'SESSION_FAILED' },
  SESSION_IN_PROGRESS: {
    step_accepted: 'SESSION_IN_PROGRESS',
    completed: 'SESSION_COMPLETED',
    failed: 'SESSION_FAILED',
  },
  SESSION_COMPLETED: {},
  SESSION_FAILED: {},
};

export function nextSessionStatus(from: SessionStatus, event: SessionEvent): SessionStatus | undefined {
  return transitions[from][event];
}

export const isSessionOver = (status: SessionStatus): boolean =>
  status === 'SESSION_COMPLETED' || status === 'SESSION_FAILED';

/** A credential as the classic API reports it. */
export type CredentialStatus = 'ACTIVE' | 'DELETED' | 'EXPIRED';
