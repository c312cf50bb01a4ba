import { Module } from '@nestjs/common';
import { ReviewModule } from './review.module';
import { ReviewProcessor } from './review.processor';

@Module({ imports: [ReviewModule], providers: [ReviewProcessor] })
export class ReviewWorkerModule {}
