import { FieldError } from '../common/errors/domain-error';
import { SCOPES, SECURITY_ATTESTATION, SECURITY_ATTESTATION_ITEMS } from './credentials/scopes';
import { ProductionAccessDto } from './dto/app.dto';
import { validateRedirectUris } from './redirect-uris';

const MIN_JUSTIFICATION = 20;
const MAX_JUSTIFICATION = 2000;

/**
 * What a production-access request lacks that can be told from the request and the app alone
 * (SPEC: production access): every scope of the app justified in 20-2000 characters, no
 * justification for a scope the app does not have, every security-attestation item promised,
 * and redirect URIs fit for production. Returns the field errors in that order; empty when complete.
 * Tier requirements need the database and are checked by the caller.
 */
export function productionRequestFieldErrors(
  app: { scopes: readonly string[]; redirectUris: unknown },
  dto: Pick<ProductionAccessDto, 'scopeJustifications' | 'securityAttestation'>,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const scope of app.scopes) {
    const text = dto.scopeJustifications[scope];
    if (typeof text !== 'string' || text.trim().length < MIN_JUSTIFICATION || text.length > MAX_JUSTIFICATION) {
      const title = SCOPES[scope as keyof typeof SCOPES]?.title ?? scope;
      errors.push({
        field: `scopeJustifications.${scope}`,
        message: `explain in ${MIN_JUSTIFICATION}-${MAX_JUSTIFICATION} characters what the app does with ${title} data`,
      });
    }
  }
  for (const key of Object.keys(dto.scopeJustifications)) {
    if (!app.scopes.includes(key)) {
      errors.push({
        field: `scopeJustifications.${key}`,
        message: "is not one of the app's scopes (change the app's scopes first)",
      });
    }
  }
  for (const item of SECURITY_ATTESTATION_ITEMS) {
    if (dto.securityAttestation[item] !== true) {
      const { title, explanation } = SECURITY_ATTESTATION[item];
      errors.push({ field: `securityAttestation.${item}`, message: `must be true: ${title}. ${explanation}` });
    }
  }
  errors.push(...validateRedirectUris(app.redirectUris, 'production'));
  return errors;
}
