import { CheckResult } from './check-result';

/**
 * The risk level of a submission, from its automated checks, the sanctions screening and the
 * organisation's regulatory status. All the rules are here.
 *
 * - high: any check failed, or a sanctions hit;
 * - medium: any check warned or could not run (`error`: it proved nothing, so the case cannot be
 *   low), or the organisation has a regulated status (FCA authorised or registered), as the KYB
 *   rules say;
 * - low: otherwise.
 *
 * `reasons` lists every rule that applied, highest first, so a reviewer sees all of them, not only
 * the one that decided the level.
 */

export type RiskLevel = 'low' | 'medium' | 'high';
export type RegulatoryStatusType = 'fca_authorised' | 'fca_registered' | 'unregulated';

export interface RiskInput {
  checks: readonly CheckResult[];
  sanctionsHit: boolean;
  regulatoryStatus: RegulatoryStatusType;
}

export interface RiskAssessment {
  level: RiskLevel;
  reasons: string[];
}

const REGULATED_STATUSES: Readonly<Record<RegulatoryStatusType, string | null>> = {
  fca_authorised: 'the organisation is FCA authorised (a regulated business)',
  fca_registered: 'the organisation is FCA registered (a regulated business)',
  unregulated: null,
};

function reasonOf(check: CheckResult): string {
  const reason = check.detail.reason;
  return typeof reason === 'string' && reason.trim() !== '' ? `: ${reason}` : '';
}

export function riskLevel(input: RiskInput): RiskAssessment {
  const high: string[] = [];
  const medium: string[] = [];

  if (input.sanctionsHit) high.push('sanctions screening found a possible match');
  for (const check of input.checks) {
    switch (check.result) {
      case 'fail':
        high.push(`check ${check.name} failed${reasonOf(check)}`);
        break;
      case 'warn':
        medium.push(`check ${check.name} warned${reasonOf(check)}`);
        break;
      case 'error':
        medium.push(`check ${check.name} could not run, so it proves nothing${reasonOf(check)}`);
        break;
      case 'pass':
        break;
      default:
        // A result this code does not know (bad data): treat it like a check that could not run.
        medium.push(`check ${check.name} has an unknown result ${JSON.stringify(check.result)}`);
    }
  }
  const regulated = REGULATED_STATUSES[input.regulatoryStatus];
  if (regulated) medium.push(regulated);
  else if (regulated === undefined)
    medium.push(`the regulatory status ${JSON.stringify(input.regulatoryStatus)} is unknown`);

  if (high.length > 0) return { level: 'high', reasons: [...high, ...medium] };
  if (medium.length > 0) return { level: 'medium', reasons: medium };
  return { level: 'low', reasons: ['all checks passed, no sanctions match, and the organisation is not regulated'] };
}
