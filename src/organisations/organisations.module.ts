import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ORGANISATION_MEMBERSHIP } from '../auth/ports';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationMembershipService } from './organisation-membership.service';
import { OrganisationRecordsService } from './organisation-records.service';
import { OrganisationsController } from './organisations.controller';
import { OrganisationsService } from './organisations.service';

/**
 * Organisations, members and invitations; implements auth's membership port for the guard. The areas
 * above read and change the organisations row through OrganisationRecordsService.
 */
@Module({
  imports: [NotificationsModule, AccountsModule],
  controllers: [OrganisationsController],
  providers: [
    OrganisationsService,
    OrganisationMembershipService,
    OrganisationRecordsService,
    { provide: ORGANISATION_MEMBERSHIP, useExisting: OrganisationMembershipService },
  ],
  exports: [OrganisationsService, OrganisationRecordsService, ORGANISATION_MEMBERSHIP],
})
export class OrganisationsModule {}
