import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { ConsentSchedulersService } from './consent-schedulers.service';
import { ConsentsModule } from './consents.module';
import { ConsentsProcessor } from './consents.processor';

/** Worker role: the consent schedulers (expiry, reminders, inactivity, housekeeping). */
@Module({ imports: [ConsentsModule, NotificationsModule], providers: [ConsentsProcessor, ConsentSchedulersService] })
export class ConsentsWorkerModule {}
