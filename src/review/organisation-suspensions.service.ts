import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '../auth/principal';
import { NotFoundError } from '../common/errors/domain-error';
import { VerificationService } from '../kyc/verification/verification.service';
import { OutboxService } from '../notifications/outbox.service';
import { OrganisationRecordsService } from '../organisations/organisation-records.service';
import { staffActor } from './task-view';

/** Suspension and reinstatement of an organisation by a senior reviewer (SPEC "Review"). */
@Injectable()
export class OrganisationSuspensionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly verification: VerificationService,
    private readonly organisations: OrganisationRecordsService,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * `suspend` from approved, `reinstate` from suspended (else 409 invalid_state), emailing the
   * owners. Production access follows the status at once (the standing listener tells the apps).
   */
  async setSuspended(
    orgId: string,
    suspend: boolean,
    reason: string,
    principal: Principal,
    requestId?: string,
  ): Promise<{ status: string }> {
    return this.dataSource.transaction(async (m) => {
      const org = await this.organisations.lockForUpdate(m, orgId);
      if (!org) throw new NotFoundError('Organisation');
      await this.verification.transition(m, org, suspend ? 'suspend' : 'reinstate', staffActor(principal), requestId, {
        reason,
      });
      const owners = await this.organisations.recipients(m, org.id, ['owner']);
      const about = { organisationName: org.legalName, organisationId: org.id };
      for (const owner of owners) {
        if (suspend) await this.outbox.enqueue(m, owner, 'organisation-suspended', { ...about, reason });
        else await this.outbox.enqueue(m, owner, 'organisation-reinstated', about);
      }
      return { status: org.verificationStatus };
    });
  }
}
