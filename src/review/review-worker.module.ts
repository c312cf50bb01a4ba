import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { KybCasesService } from './kyb-cases.service';
import { ReviewModule } from './review.module';
import { ReviewProcessor } from './review.processor';

@Module({ imports: [ReviewModule, OrganisationsModule], providers: [ReviewProcessor, KybCasesService] })
export class ReviewWorkerModule {}
