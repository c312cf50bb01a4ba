import { jobRegistryProblems } from './job-registry.check';
import { JOB_QUEUE, JobName } from './queue.registry';

const complete = (): { jobName: string; processor: string; queue?: string }[] =>
  Object.values(JobName).map((jobName) => ({
    jobName,
    processor: `${JOB_QUEUE[jobName]}-processor`,
    queue: JOB_QUEUE[jobName] as string,
  }));

describe('job registry check', () => {
  it('accepts one handler per job on its own queue', () => {
    expect(jobRegistryProblems(complete())).toEqual([]);
  });

  it('names a job without a handler, a job handled twice, one on the wrong queue, and a queue with two processors', () => {
    const handlers = complete().filter((h) => h.jobName !== JobName.CheckDocument);
    handlers.push({ jobName: JobName.SendEmail, processor: 'Other', queue: 'maintenance' });
    const problems = jobRegistryProblems(handlers);
    expect(problems).toEqual(
      expect.arrayContaining([
        `job ${JobName.CheckDocument} has no processor`,
        expect.stringContaining(`job ${JobName.SendEmail} has 2 processors`),
        expect.stringContaining(`job ${JobName.SendEmail} belongs to queue mail but Other listens to maintenance`),
        expect.stringContaining('queue maintenance has several processors'),
      ]),
    );
  });
});
