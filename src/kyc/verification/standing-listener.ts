import { EntityManager } from 'typeorm';
import { VerificationStatus } from './verification.transitions';

/**
 * Told, in the transaction of every verification transition into or out of `approved` (suspension,
 * expiry, reinstatement, sanctions re-screening), that an organisation lost or regained its standing.
 * Production access follows the standing by itself (it is computed on each request); the listener
 * is for side effects such as the apps' webhooks.
 */
export interface OrganisationStandingListener {
  organisationStandingChanged(
    m: EntityManager,
    organisationId: string,
    change: 'lost' | 'restored',
    status: VerificationStatus,
  ): Promise<void>;
}

/**
 * DI token of the {@link OrganisationStandingListener} port. KYC (L7) declares it; apps (L9)
 * implements it.
 *
 * Wiring, static and one-way: `AppsPortsModule` (src/apps/apps.module.ts) provides this token with
 * `useExisting: AppReviewsService` and is `@Global()`, and the composition root (src/app.module.ts)
 * imports it, so `VerificationService` injects it without the KYC module importing the apps module.
 */
export const ORGANISATION_STANDING_LISTENER = Symbol('ORGANISATION_STANDING_LISTENER');
