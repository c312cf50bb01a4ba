import { Module } from '@nestjs/common';
import { KybCasesService } from './kyb-cases.service';
import { ReviewModule } from './review.module';
import { ReviewProcessor } from './review.processor';

@Module({ imports: [ReviewModule], providers: [ReviewProcessor, KybCasesService] })
export class ReviewWorkerModule {}
