import { Module } from '@nestjs/common';
import { AuditChainer, AuditCheckpointProcessor } from './audit-checkpoint.processor';

@Module({ providers: [AuditCheckpointProcessor, AuditChainer] })
export class AuditWorkerModule {}
