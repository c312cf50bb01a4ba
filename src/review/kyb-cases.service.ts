import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OrganisationRecordsService } from '../organisations/organisation-records.service';
import { ReviewTasksService } from './review-tasks.service';

/** Verification statuses in which a case waits for a first-stage kyb task. */
const WAITING_FOR_REVIEW = ['pending_review', 'suspended'];

/** Opens kyb review tasks for the cases kyc announces (JobName.ReviewKybCase). */
@Injectable()
export class KybCasesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationRecordsService,
    private readonly tasks: ReviewTasksService,
  ) {}

  /**
   * Opens the first-stage kyb task of `organisationId` if the case still waits for a reviewer (its
   * submission is `submission`, its status pending_review or suspended) and no kyb task of it is open.
   * Safe to repeat: a redelivered job finds the open task and does nothing. Returns the new task's id.
   */
  async open(organisationId: string, submission: number): Promise<string | undefined> {
    return this.dataSource.transaction(async (m) => {
      // The row lock serialises two deliveries of the same announcement.
      const org = await this.organisations.lockForUpdate(m, organisationId);
      if (!org || org.submissionCount !== submission || !WAITING_FOR_REVIEW.includes(org.verificationStatus)) return undefined;
      const open = (await m.query(`SELECT 1 FROM review_tasks WHERE type = 'kyb' AND subject_id = $1 AND status IN ('pending', 'claimed') LIMIT 1`, [organisationId])) as unknown[];
      if (open.length > 0) return undefined;
      return this.tasks.createKybTask(m, org, 'first');
    });
  }
}
