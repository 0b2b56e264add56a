import { fullScope } from '../ais/index.js';
import type { ApiClient } from '../auth/index.js';
import { ApiError } from '../shared/errors.js';
import { FinqwareError } from './errors.js';
import type { FinqwareContext } from './finqware.context.js';
import { hashSecret, isUuid, newSecret } from './secrets.js';
import { isSessionOver, nextSessionStatus, type SessionStatus } from './session-status.js';
import {
  claimNonce,
  findSession,
  insertSession,
  insertStep,
  type SessionRow,
  updateSession,
} from './sessions.repository.js';
import { findSkill, type Skill, type SkillStep } from './skills.js';
import { checkRedirectLink, checkStepData } from './step-data.js';

export interface StepAnswer {
  step_id: string;
  /** The nonce of the next step or upload; null when nothing follows (the bank or the user acts next). */
  nonce: string | null;
  status: SessionStatus;
  data: Record<string, unknown>;
}

const statusOf = (row: SessionRow) => row.status as SessionStatus;

/** The skill of a session if this tenant may use it: its mode's catalogue and its scopes. */
function usableSkill(ctx: FinqwareContext, client: ApiClient, id: string): Skill {
  const skill = findSkill(ctx.catalogue, client.mode, id);
  const scoped =
    skill && (skill.type === 'marketplace' || client.scopes.includes(skill.type === 'aisp' ? 'ais' : 'pay'));
  if (!skill || !scoped) {
    throw new FinqwareError(
      'invalid_skill_name',
      `No skill ${id} for this tenant (see /v1/catalogs/skills).`,
    );
  }
  return skill;
}

/** A fresh nonce for `step`, valid for the configured time: the secret to give, and what to store. */
function nonceFor(ctx: FinqwareContext, step: string, now: Date) {
  const nonce = newSecret(ctx.ids);
  return {
    nonce,
    patch: {
      next_step: step,
      nonce_hash: hashSecret(nonce),
      nonce_expires_at: new Date(now.getTime() + ctx.settings.nonceTtlMs),
    },
  };
}

export async function createSession(
  ctx: FinqwareContext,
  client: ApiClient,
  input: { tenant_user_id?: string | undefined; skill: string },
): Promise<{ nonce: string; session_id: string; status: SessionStatus }> {
  const skill = usableSkill(ctx, client, input.skill);
  const now = ctx.clock.now();
  const first = nonceFor(ctx, skill.steps[0]!.name, now);
  const row = await insertSession(ctx.db, {
    id: ctx.ids.uuid(),
    client_id: client.id,
    tenant_user_id: input.tenant_user_id ?? '',
    skill: skill.skill,
    status: 'SESSION_CREATED',
    ...first.patch,
    created_at: now,
    updated_at: now,
  });
  return { nonce: first.nonce, session_id: row.id, status: 'SESSION_CREATED' };
}

export interface StepInput {
  nonce: string;
  skill: string;
  step: string;
  data: unknown;
}

/**
 * One step of a session. Everything that can be checked is checked before the nonce is taken (a refused
 * submission changes nothing); then the nonce is taken in one UPDATE (of concurrent submissions exactly one
 * wins) and the step runs.
 */
export async function submitStep(
  ctx: FinqwareContext,
  client: ApiClient,
  sessionId: string,
  input: StepInput,
  context: { ip?: string | undefined } = {},
): Promise<StepAnswer> {
  const session = await ownSession(ctx, client, sessionId);
  if (session.skill !== input.skill) {
    throw new FinqwareError('invalid_skill_name', `This session runs ${session.skill}, not ${input.skill}.`);
  }
  const skill = usableSkill(ctx, client, session.skill);
  const step = skill.steps.find((s) => s.name === input.step);
  if (!step) {
    const names = skill.steps.map((s) => s.name).join(', ');
    throw new FinqwareError(
      'invalid_step',
      `${skill.skill} has no step ${input.step} (its steps: ${names}).`,
    );
  }
  const data = checkStepData(step, input.data);
  if (typeof data.psu_redirect_link === 'string') {
    data.psu_redirect_link = checkRedirectLink(data.psu_redirect_link, client.mode);
  }
  const now = ctx.clock.now();
  const claimed = await claimNonce(ctx.db, {
    sessionId: session.id,
    clientId: client.id,
    nonceHash: hashSecret(input.nonce),
    step: step.name,
    now,
  });
  if (!claimed) throw refusedNonce(session, step, now);
  return runStep(ctx, client, claimed, skill, step, data, context);
}

export async function ownSession(ctx: FinqwareContext, client: ApiClient, id: string): Promise<SessionRow> {
  const session = isUuid(id) ? await findSession(ctx.db, id) : undefined;
  if (!session || session.client_id !== client.id) {
    throw new FinqwareError('invalid_session_id', `No session ${id} for this tenant.`);
  }
  return session;
}

/** Why a nonce was not taken, from the session as it was read (the same answer whatever raced). */
function refusedNonce(session: SessionRow, step: SkillStep, now: Date): FinqwareError {
  const status = statusOf(session);
  if (isSessionOver(status)) return new FinqwareError('invalid_step', `This session is ${status}.`);
  if (session.next_step !== null && session.next_step !== step.name) {
    return new FinqwareError(
      'invalid_step',
      `This session expects ${session.next_step} next, not ${step.name}.`,
    );
  }
  if (session.nonce_expires_at && session.nonce_expires_at <= now) {
    return new FinqwareError('invalid_step', 'The nonce has expired (nonces last 30 minutes).');
  }
  return new FinqwareError(
    'invalid_step',
    'The nonce is not this session’s current one (used, or another’s).',
  );
}

async function runStep(
  ctx: FinqwareContext,
  client: ApiClient,
  session: SessionRow,
  skill: Skill,
  step: SkillStep,
  data: Record<string, unknown>,
  context: { ip?: string | undefined },
): Promise<StepAnswer> {
  const stepId = ctx.ids.uuid();
  const now = ctx.clock.now();
  await insertStep(ctx.db, {
    id: stepId,
    session_id: session.id,
    name: step.name,
    data: JSON.stringify(data),
    created_at: now,
  });
  if (skill.type === 'aisp') return startConsent(ctx, client, session, skill, stepId, data, context);
  if (skill.type === 'marketplace') return productStep(ctx, session, skill, step, stepId, data);
  throw new FinqwareError('invalid_step', `${skill.skill} cannot be run yet.`);
}

/** The `sca` step of an AIS skill: a consent at the bank; the user is sent to its SCA page. */
async function startConsent(
  ctx: FinqwareContext,
  client: ApiClient,
  session: SessionRow,
  skill: Skill,
  stepId: string,
  data: Record<string, unknown>,
  context: { ip?: string | undefined },
): Promise<StepAnswer> {
  const link = String(data.psu_redirect_link);
  const returnKey = newSecret(ctx.ids);
  let started: Awaited<ReturnType<FinqwareContext['ais']['shared']['createConsent']>>;
  try {
    started = await ctx.ais.shared.createConsent(
      client,
      {
        aisMethod: { providerId: skill.providerId, interfaceEnv: skill.catalogueEnv },
        scope: [...fullScope],
        consentValidityDays: ctx.settings.consentDays,
        flowType: 'redirect_sca',
        expiresInSeconds: ctx.settings.flowSeconds,
        redirectUrl: `${ctx.publicUrl}${ctx.prefix}/return/${returnKey}`,
        webhookUrl: undefined,
        uxTemplate: undefined,
        language: undefined,
        psu: {},
        tracking: { finqware_session_id: session.id },
      },
      { callerIp: context.ip },
    );
  } catch (error) {
    await fail(ctx, session, error instanceof Error ? error.message : 'the consent could not start');
    throw error instanceof ApiError && error.code === 'unprocessable_entity'
      ? new FinqwareError('external_api_error', error.message)
      : error;
  }
  const moved = await move(ctx, session, 'step_accepted', {
    consent_id: started.consent.id,
    return_key_hash: hashSecret(returnKey),
    psu_redirect_link: link,
    next_step: null,
  });
  return {
    step_id: stepId,
    nonce: null,
    status: statusOf(moved),
    data: { method: 'GET', headers: {}, url: started.webUrl },
  };
}

/** A marketplace product's step: the form is kept; the next step (or the uploads) get the next nonce. */
async function productStep(
  ctx: FinqwareContext,
  session: SessionRow,
  skill: Skill,
  step: SkillStep,
  stepId: string,
  data: Record<string, unknown>,
): Promise<StepAnswer> {
  const index = skill.steps.indexOf(step);
  const following = skill.steps[index + 1];
  const now = ctx.clock.now();
  const next = nonceFor(ctx, following ? following.name : 'upload', now);
  const form = { ...(session.form ?? {}), [step.name]: data };
  const moved = await move(ctx, session, 'step_accepted', { ...next.patch, form: JSON.stringify(form) });
  return {
    step_id: stepId,
    nonce: next.nonce,
    status: statusOf(moved),
    data: following ? { next_step: following.name } : { uploads: step.uploads },
  };
}

/** Applies a session event to the row as claimed (its status cannot have moved: the nonce was ours). */
async function move(
  ctx: FinqwareContext,
  session: SessionRow,
  event: 'step_accepted' | 'completed' | 'failed',
  patch: Parameters<typeof updateSession>[3],
): Promise<SessionRow> {
  const to = nextSessionStatus(statusOf(session), event);
  if (!to) throw new FinqwareError('invalid_step', `This session is ${session.status}.`);
  const moved = await updateSession(
    ctx.db,
    session.id,
    session.status,
    { ...patch, status: to },
    ctx.clock.now(),
  );
  if (!moved) throw new FinqwareError('invalid_step', 'The session changed meanwhile; start a new one.');
  return moved;
}

async function fail(ctx: FinqwareContext, session: SessionRow, reason: string): Promise<void> {
  const to = nextSessionStatus(statusOf(session), 'failed');
  if (to)
    await updateSession(ctx.db, session.id, session.status, { status: to, error: reason }, ctx.clock.now());
}
