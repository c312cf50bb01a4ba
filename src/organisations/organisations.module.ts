import { Module } from '@nestjs/common';
import { ORGANISATION_MEMBERSHIP } from '../auth/ports';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationMembershipService } from './organisation-membership.service';
import { OrganisationsController } from './organisations.controller';
import { OrganisationsService } from './organisations.service';

/** Organisations, members and invitations; implements auth's membership port for the guard. */
@Module({
  imports: [NotificationsModule],
  controllers: [OrganisationsController],
  providers: [
    OrganisationsService,
    OrganisationMembershipService,
    { provide: ORGANISATION_MEMBERSHIP, useExisting: OrganisationMembershipService },
  ],
  exports: [OrganisationsService, ORGANISATION_MEMBERSHIP],
})
export class OrganisationsModule {}
