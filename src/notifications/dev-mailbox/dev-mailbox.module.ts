import { Module } from '@nestjs/common';
import { DevMailboxController } from './dev-mailbox.controller';
import { DevMailboxService } from './dev-mailbox.service';

/**
 * `/dev/mailbox`: loaded by the composition root only outside production, in processes that serve
 * HTTP; it answers 404 when SMTP_URL is set (mail then goes to the SMTP server, not to files).
 */
@Module({ controllers: [DevMailboxController], providers: [DevMailboxService] })
export class DevMailboxModule {}
