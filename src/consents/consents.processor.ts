import { Processor } from '@nestjs/bullmq';
import { JobDispatcher } from '../queue/job-dispatcher';
import { JobHandler } from '../queue/job-handler.decorator';
import { JobName, QUEUE_SETTINGS, QueueName } from '../queue/queue.registry';
import { ConsentMaintenanceResult, ConsentSchedulersService } from './consent-schedulers.service';

/** The consents queue: the hourly maintenance run (schedules.ts), on the real clock. */
@Processor(QueueName.Consents, { concurrency: QUEUE_SETTINGS[QueueName.Consents].concurrency })
export class ConsentsProcessor extends JobDispatcher {
  constructor(private readonly schedulers: ConsentSchedulersService) {
    super();
  }

  @JobHandler(JobName.ConsentsMaintenance)
  maintain(): Promise<ConsentMaintenanceResult> {
    return this.schedulers.run(new Date());
  }
}
