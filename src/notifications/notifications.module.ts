import { Module } from '@nestjs/common';
import { AdminEmailsController } from './admin-emails.controller';
import { OutboxService } from './outbox.service';

/** The outbox every module writes emails to, inside its own transactions. */
@Module({
  controllers: [AdminEmailsController],
  providers: [OutboxService],
  exports: [OutboxService],
})
export class NotificationsModule {}
