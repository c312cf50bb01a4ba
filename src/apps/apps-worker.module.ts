import { Module } from '@nestjs/common';
import { AppsModule } from './apps.module';
import { AppsProcessor, AppsSchedule } from './apps.processor';

@Module({ imports: [AppsModule], providers: [AppsProcessor, AppsSchedule] })
export class AppsWorkerModule {}
