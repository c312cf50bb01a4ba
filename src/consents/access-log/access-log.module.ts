import { Module } from '@nestjs/common';
import { AccessLogController } from './access-log.controller';
import { AccessLogService } from './access-log.service';
import { AccessLogWriter } from './access-log.writer';

/**
 * The consent access log: the batched writer the data API records every read with, the customer's
 * read, and the upkeep of the monthly partitions (run by AccessLogWorkerModule).
 */
@Module({
  controllers: [AccessLogController],
  providers: [AccessLogWriter, AccessLogService],
  exports: [AccessLogWriter, AccessLogService],
})
export class AccessLogModule {}
