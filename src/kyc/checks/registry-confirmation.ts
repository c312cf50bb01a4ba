import type { EntityManager } from 'typeorm';

/**
 * Whether the organisation's latest registry check confirmed `frn` (its current firm reference
 * number) as this organisation's: the FCA register gives that number to its legal name and company
 * number (rules/firm-identity.ts). False when there is no such check. For areas above kyc (apps'
 * high-tier scopes), which read the checks table only through here.
 */
export async function registerConfirms(m: EntityManager, organisationId: string, frn: string): Promise<boolean> {
  const rows = (await m.query(
    `SELECT (detail->>'firmConfirmed') = 'true' AND detail->'firm'->>'frn' = $2 AS confirmed
       FROM checks WHERE organisation_id = $1 AND subject_type = 'organisation' AND name = 'registry'
      ORDER BY submission DESC LIMIT 1`,
    [organisationId, frn],
  )) as { confirmed: boolean | null }[];
  return rows[0]?.confirmed === true;
}
