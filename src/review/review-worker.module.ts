import { Module } from '@nestjs/common';
import { KybCasesService } from './kyb-cases.service';
import { ReviewModule } from './review.module';
import { ReviewProcessor, ReviewSchedule } from './review.processor';

@Module({ imports: [ReviewModule], providers: [ReviewProcessor, ReviewSchedule, KybCasesService] })
export class ReviewWorkerModule {}
