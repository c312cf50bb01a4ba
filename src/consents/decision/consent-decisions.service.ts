import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import type { ConsentConstraints, DecisionReason } from '../consent';
import type { DecisionResource } from '../consent-decision';
import { ACCESS_TOKEN_RESOLVER, AccessTokenResolver } from '../ports';
import { ConsentReplica, ReplicaSubject } from './consent-replica';
import type { ChosenDecision } from './decision-choice';
import { parseDecisionRequest } from './decision-request';

/**
 * The decision point's answer (SPEC "Decision point"). `consentId`, `expiresAt` (ISO 8601 UTC) and
 * `constraints` describe the consent the decision was made on, `null` when there is none.
 */
export interface DecisionAnswer {
  allow: boolean;
  reason: DecisionReason;
  consentId: string | null;
  expiresAt: string | null;
  constraints: ConsentConstraints | null;
}

const TOKEN_INVALID: DecisionAnswer = Object.freeze({
  allow: false,
  reason: 'token_invalid',
  consentId: null,
  expiresAt: null,
  constraints: null,
});

function answerOf({ reason, consent }: ChosenDecision): DecisionAnswer {
  if (!consent) return { allow: false, reason, consentId: null, expiresAt: null, constraints: null };
  return {
    allow: reason === 'allowed',
    reason,
    consentId: consent.id,
    expiresAt: new Date(consent.expiresAtMs).toISOString(),
    constraints: {
      accountIds: consent.accountIds as string[],
      transactionWindow: consent.windowFrom === null ? null : { from: consent.windowFrom, to: consent.windowTo! },
      merchants: consent.merchants as string[] | null,
      categories: consent.categories as string[] | null,
    },
  };
}

/**
 * Answers the bank's gateway: may this app do this now? From the in-process replica when it is
 * current (no I/O), otherwise from PostgreSQL; when neither can answer, 503 (the gateway refuses):
 * a decision is never allowed on data that may be stale.
 */
@Injectable()
export class ConsentDecisionsService {
  private readonly logger = new Logger(ConsentDecisionsService.name);

  constructor(
    private readonly replica: ConsentReplica,
    @Optional() @Inject(ACCESS_TOKEN_RESOLVER) private readonly tokens?: AccessTokenResolver,
  ) {}

  /** `POST /v1/consent-decisions`: checks the body by hand (400 with every field error), then decides. */
  async decideRequest(body: unknown): Promise<DecisionAnswer> {
    const request = parseDecisionRequest(body);
    if (Array.isArray(request)) throw new ValidationFailedError(request);
    const { subject, scope, resource } = request;
    if ('accessToken' in subject) {
      const resolved = await this.resolve(subject.accessToken);
      if (!resolved) return TOKEN_INVALID;
      return this.decide({ consentId: resolved.consentId, clientId: resolved.clientId }, scope, resource);
    }
    return this.decide(subject, scope, resource);
  }

  /**
   * The one decision, for the decision point and the data API (which passes `{consentId}` of the
   * access token it checked). Rejects with 503 `unavailable` when the replica is not current and
   * PostgreSQL does not answer.
   */
  async decide(
    subject: ReplicaSubject,
    scope: string,
    resource: DecisionResource | undefined,
  ): Promise<DecisionAnswer> {
    const nowMs = Date.now();
    const local = this.replica.decideLocal(subject, scope, resource, nowMs);
    if (local) return answerOf(local);
    try {
      return answerOf(await this.replica.decideFromDatabase(subject, scope, resource, nowMs));
    } catch (e) {
      this.logger.error(`consent decision: PostgreSQL did not answer (${(e as Error).message}); refusing`);
      throw new DomainError(
        'unavailable',
        'Consents cannot be checked right now; refuse and retry',
        {},
        {
          'Retry-After': '1',
        },
      );
    }
  }

  private async resolve(accessToken: string) {
    if (!this.tokens) return undefined;
    try {
      return await this.tokens.resolve(accessToken);
    } catch (e) {
      this.logger.warn(`consent decision: the access token resolver failed (${(e as Error).message})`);
      return undefined;
    }
  }
}
