import { Processor } from '@nestjs/bullmq';
import { JobDispatcher } from '../../queue/job-dispatcher';
import { JobHandler } from '../../queue/job-handler.decorator';
import { JobName, QUEUE_SETTINGS, QueueName } from '../../queue/queue.registry';
import { AccessLogService, PartitionMaintenance } from './access-log.service';

@Processor(QueueName.AccessLog, { concurrency: QUEUE_SETTINGS[QueueName.AccessLog].concurrency })
export class AccessLogProcessor extends JobDispatcher {
  constructor(private readonly accessLog: AccessLogService) {
    super();
  }

  @JobHandler(JobName.AccessLogPartitions)
  partitions(): Promise<PartitionMaintenance> {
    return this.accessLog.maintainPartitions();
  }
}
