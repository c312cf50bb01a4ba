import { Module } from '@nestjs/common';
import { ReviewModule } from './review.module';
import { ReviewProcessor, ReviewSchedule } from './review.processor';

@Module({ imports: [ReviewModule], providers: [ReviewProcessor, ReviewSchedule] })
export class ReviewWorkerModule {}
