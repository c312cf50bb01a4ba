import { Module } from '@nestjs/common';
import { AuditCheckpointProcessor, AuditCheckpointSchedule } from './audit-checkpoint.processor';

@Module({ providers: [AuditCheckpointProcessor, AuditCheckpointSchedule] })
export class AuditWorkerModule {}
