import { SetMetadata } from '@nestjs/common';
import { JobName } from './queue.registry';

export const JOB_HANDLER = 'gatehouse:job_handler';

/** Marks the method of a processor that handles one job name. Exactly one per job name. */
export const JobHandler = (name: JobName) => SetMetadata(JOB_HANDLER, name);
