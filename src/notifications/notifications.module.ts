import { Module } from '@nestjs/common';
import { OutboxService } from './outbox.service';

/** The outbox every module writes emails to, inside its own transactions. */
@Module({
  providers: [OutboxService],
  exports: [OutboxService],
})
export class NotificationsModule {}
