import { Processor } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { JobDispatcher } from '../queue/job-dispatcher';
import { JobHandler } from '../queue/job-handler.decorator';
import { JobName, JobPayload, QUEUE_SETTINGS, QueueName } from '../queue/queue.registry';
import { MailService } from './mail.service';

@Processor(QueueName.Mail, {
  concurrency: QUEUE_SETTINGS[QueueName.Mail].concurrency,
  ...QUEUE_SETTINGS[QueueName.Mail].worker,
})
export class MailProcessor extends JobDispatcher {
  constructor(private readonly mail: MailService) {
    super();
  }

  @JobHandler(JobName.SendEmail)
  async sendEmail(payload: JobPayload<JobName.SendEmail>, job: Job): Promise<string> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return this.mail.deliver(payload.outboxId, lastAttempt, {
      accepted: payload.smtpAccepted === true,
      remember: () => job.updateData({ ...payload, smtpAccepted: true }),
    });
  }
}
