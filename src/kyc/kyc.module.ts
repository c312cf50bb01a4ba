import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { DocumentVault } from './documents/document-storage.provider';
import { DocumentsController } from './documents/documents.controller';
import { DocumentsService } from './documents/documents.service';
import { KybCaseFilesService } from './kyb-case-files.service';
import { PeopleController } from './people/people.controller';
import { PeopleService } from './people/people.service';
import { VerificationController } from './verification/verification.controller';
import { VerificationService } from './verification/verification.service';

/** KYB: people, encrypted documents, requirements and the verification state machine. */
@Module({
  imports: [NotificationsModule, OrganisationsModule],
  controllers: [PeopleController, DocumentsController, VerificationController],
  providers: [PeopleService, DocumentsService, DocumentVault, VerificationService, KybCaseFilesService],
  exports: [VerificationService, DocumentVault, KybCaseFilesService],
})
export class KycModule {}
