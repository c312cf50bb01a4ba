import { Module } from '@nestjs/common';
import { DevMailboxController } from './dev-mailbox.controller';
import { DevMailboxService } from './dev-mailbox.service';

/**
 * `/dev/mailbox`: loaded by the composition root only outside production, when no SMTP_URL is set
 * (mail goes to `.eml` files) and the process serves HTTP.
 */
@Module({ controllers: [DevMailboxController], providers: [DevMailboxService] })
export class DevMailboxModule {}
