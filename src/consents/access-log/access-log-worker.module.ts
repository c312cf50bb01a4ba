import { Module } from '@nestjs/common';
import { AccessLogModule } from './access-log.module';
import { AccessLogProcessor } from './access-log.processor';

/** The worker role's part of the access log: the partition maintenance job. */
@Module({ imports: [AccessLogModule], providers: [AccessLogProcessor] })
export class AccessLogWorkerModule {}
