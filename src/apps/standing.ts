import type { EntityManager } from 'typeorm';
import { registerConfirms } from '../kyc/checks/registry-confirmation';
import type { Organisation } from '../organisations/organisation.entity';
import type { App, ProductionStatus } from './app.entity';
import { requirementsFor } from './credentials/scopes';

/**
 * Whether an app's production credentials may be used right now. Computed from current state on
 * every check, never stored, so a suspension, a lapse of verification or a reinstatement takes
 * effect on the next request without anything having to flip credentials on or off.
 */
export interface StandingInput {
  productionStatus: ProductionStatus;
  appSuspendedAt: Date | null;
  organisationStatus: string;
  /** Items a reviewer asked the organisation for. */
  requestedItems: readonly { deadline: string; resolvedAt?: string | null }[];
}

export type StandingProblem = 'not_approved' | 'app_suspended' | 'organisation_not_approved' | 'requirement_past_due';

export function productionStanding(
  input: StandingInput,
  now: Date,
): { ok: true } | { ok: false; problem: StandingProblem; detail: string } {
  if (input.productionStatus !== 'approved')
    return { ok: false, problem: 'not_approved', detail: 'The app is not approved for production' };
  if (input.appSuspendedAt !== null) return { ok: false, problem: 'app_suspended', detail: 'The app is suspended' };
  if (input.organisationStatus !== 'approved') {
    return {
      ok: false,
      problem: 'organisation_not_approved',
      detail: `The organisation's verification is ${input.organisationStatus}`,
    };
  }
  const pastDue = input.requestedItems.some((i) => !i.resolvedAt && new Date(i.deadline).getTime() <= now.getTime());
  if (pastDue)
    return {
      ok: false,
      problem: 'requirement_past_due',
      detail: 'Information the organisation was asked for is past its deadline',
    };
  return { ok: true };
}

/** The standing of an app and its organisation as loaded; `productionStatus` overrides the app's (to ask "if approved now"). */
export function standingOf(
  app: Pick<App, 'productionStatus' | 'suspendedAt'>,
  org: Pick<Organisation, 'verificationStatus' | 'requestedItems'>,
  now: Date,
  productionStatus = app.productionStatus,
) {
  return productionStanding(
    {
      productionStatus,
      appSuspendedAt: app.suspendedAt,
      organisationStatus: org.verificationStatus,
      requestedItems: org.requestedItems,
    },
    now,
  );
}

/**
 * What production access to high-tier scopes needs and this app or organisation lacks now: an
 * FCA-regulated organisation, a live (unrevoked, unexpired) client certificate. Empty when met.
 *
 * "FCA-regulated" is not the organisation's own claim: the latest registry check of its KYB must
 * have found its firm reference number on the register, active and given to this organisation
 * (same name and Companies House number, `firmConfirmed` in the check's detail), for the number
 * it holds now. A number quoted from another firm, a lapsed firm, or a number changed since the
 * check unlocks nothing.
 */
export async function unmetTierRequirements(
  m: EntityManager,
  appId: string,
  org: Pick<Organisation, 'id' | 'regulatoryStatus'>,
  scopes: readonly string[],
): Promise<string[]> {
  const needs = requirementsFor(scopes);
  const unmet: string[] = [];
  if (needs.fcaRegulated) {
    const frn = org.regulatoryStatus.firmReferenceNumber;
    if (org.regulatoryStatus.type === 'unregulated')
      unmet.push('identity:read and payments:initiate need an FCA-regulated organisation');
    else if (!frn || !(await registerConfirms(m, org.id, frn))) {
      unmet.push(
        'identity:read and payments:initiate need an FCA-regulated organisation that the FCA register confirms: ' +
          "its firm reference number must belong to this organisation's legal name and company number (see the registry check of its verification)",
      );
    }
  }
  if (needs.clientCertificate) {
    const [{ count }] = (await m.query(
      `SELECT count(*)::int AS count FROM client_certificates WHERE app_id = $1 AND revoked_at IS NULL AND not_after > now()`,
      [appId],
    )) as [{ count: number }];
    if (count === 0)
      unmet.push(
        'identity:read and payments:initiate need a live client certificate: issue one first (POST …/certificates)',
      );
  }
  return unmet;
}
