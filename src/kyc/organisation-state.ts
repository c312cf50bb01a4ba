import { EntityManager } from 'typeorm';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import { Organisation } from '../organisations/organisation.entity';
import { isEditable } from '../organisations/verification-status';

/**
 * Locks the organisation row for the rest of the caller's transaction and refuses unless its
 * verification still lets the developer edit (unverified or info_requested). Edits of people and
 * documents go through here, so they cannot race a submission.
 */
export async function lockEditableOrganisation(m: EntityManager, orgId: string): Promise<Organisation> {
  const org = await m.getRepository(Organisation).findOne({ where: { id: orgId }, lock: { mode: 'pessimistic_write' } });
  if (!org) throw new NotFoundError('Organisation');
  if (!isEditable(org.verificationStatus)) {
    throw new DomainError('invalid_state', `The organisation cannot be changed while its verification is ${org.verificationStatus}`);
  }
  return org;
}
