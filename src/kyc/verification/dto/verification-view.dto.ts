import { ApiProperty } from '@nestjs/swagger';
import { VERIFICATION_STATUSES } from '../../../organisations/verification-status';
import { CheckAnswer } from '../../documents/dto/document-view.dto';

/** A reviewer's request or a problem with what was given: which requirement, and what to do. */
export class RequirementErrorAnswer {
  @ApiProperty({ description: 'The requirement, e.g. `person.<id>.identity_document`' })
  requirement!: string;

  @ApiProperty({ description: 'What is wrong or what the reviewer asks for, in their words' })
  message!: string;
}

/** What verification still needs (SPEC "Organisations (KYB)": `currentlyDue`, `eventuallyDue`, `pastDue`). */
export class RequirementsAnswer {
  @ApiProperty({
    type: [String],
    description:
      'Exactly what is missing before submission, e.g. `person.<id>.identity_document`, `organisation.certificate_of_incorporation`, `organisation.firm_reference_number`',
  })
  currentlyDue!: string[];

  @ApiProperty({ type: [String], description: 'What will be needed later (a document expiring, re-verification)' })
  eventuallyDue!: string[];

  @ApiProperty({ type: [String], description: 'Requested items that missed their deadline' })
  pastDue!: string[];

  @ApiProperty({ type: [RequirementErrorAnswer], description: 'Reviewers’ requests still open' })
  errors!: RequirementErrorAnswer[];
}

/** A reason a reviewer gave with a decision: its code and its text. */
export class VerificationReasonAnswer {
  @ApiProperty()
  code!: string;

  @ApiProperty()
  text!: string;
}

/** `GET /v1/organisations/:orgId/verification`: where verification stands and what it needs. */
export class VerificationAnswer {
  @ApiProperty({ enum: VERIFICATION_STATUSES })
  status!: string;

  @ApiProperty({ type: String, enum: ['low', 'medium', 'high'], nullable: true })
  riskLevel!: string | null;

  @ApiProperty({ type: RequirementsAnswer })
  requirements!: RequirementsAnswer;

  @ApiProperty({
    type: [CheckAnswer],
    description: 'The latest submission’s checks (sanctions screening is not shown)',
  })
  checks!: CheckAnswer[];

  @ApiProperty({ type: [VerificationReasonAnswer], description: 'Reviewers’ reasons for the latest decision' })
  reasons!: VerificationReasonAnswer[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  submittedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When re-verification is due' })
  expiresAt!: string | null;
}

/** `POST …/verification/submit` accepted: the checks run next. */
export class SubmissionAnswer {
  @ApiProperty({ enum: VERIFICATION_STATUSES })
  status!: string;

  @ApiProperty({ format: 'date-time' })
  submittedAt!: string;
}
