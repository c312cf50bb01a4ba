import { Module } from '@nestjs/common';
import { AppsModule } from './apps.module';
import { AppsProcessor } from './apps.processor';

@Module({ imports: [AppsModule], providers: [AppsProcessor] })
export class AppsWorkerModule {}
