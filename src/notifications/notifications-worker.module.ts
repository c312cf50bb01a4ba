import { Module } from '@nestjs/common';
import { MailProcessor } from './mail.processor';
import { MailService } from './mail.service';
import { OutboxRelay } from './outbox.relay';

/** Worker role: the relay from outbox to queue, and the processor that sends. */
@Module({
  providers: [MailService, MailProcessor, OutboxRelay],
  exports: [MailService, OutboxRelay],
})
export class NotificationsWorkerModule {}
