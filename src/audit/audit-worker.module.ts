import { Module } from '@nestjs/common';
import { AuditChainer, AuditCheckpointProcessor, AuditCheckpointSchedule } from './audit-checkpoint.processor';

@Module({ providers: [AuditCheckpointProcessor, AuditCheckpointSchedule, AuditChainer] })
export class AuditWorkerModule {}
