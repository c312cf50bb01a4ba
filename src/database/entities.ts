import { EmailToken, Session } from '../accounts/session.entity';
import { App, ProductionAccessRequest } from '../apps/app.entity';
import { ClientCertificate } from '../apps/ca/client-certificate.entity';
import { AppCredential } from '../apps/credentials/app-credential.entity';
import { IdempotencyRecord } from '../apps/idempotency/idempotency-key.entity';
import { WebhookDelivery, WebhookDeliveryAttempt } from '../apps/webhooks/webhook-delivery.entity';
import { MailboxCollision, User } from '../accounts/user.entity';
import { AuditCheckpoint, AuditEntry, AuditHead, AuditQueued } from '../audit/audit-entry.entity';
import { CheckRecord } from '../kyc/checks/check.entity';
import { KybDocument } from '../kyc/documents/document.entity';
import { Person } from '../kyc/people/person.entity';
import { ReviewDecision, ReviewTask, ReviewerDigest } from '../review/review-task.entity';
import { OutboxMessage } from '../notifications/outbox-message.entity';
import { Invitation, Organisation, OrganisationMember } from '../organisations/organisation.entity';

/** Every TypeORM entity, listed explicitly so the app, the migration CLI and tests load the same set. */
export const ENTITIES: Function[] = [
  OutboxMessage,
  AuditEntry,
  AuditHead,
  AuditCheckpoint,
  AuditQueued,
  User,
  MailboxCollision,
  Session,
  EmailToken,
  Organisation,
  OrganisationMember,
  Invitation,
  Person,
  KybDocument,
  CheckRecord,
  ReviewTask,
  ReviewDecision,
  ReviewerDigest,
  App,
  ProductionAccessRequest,
  AppCredential,
  ClientCertificate,
  IdempotencyRecord,
  WebhookDelivery,
  WebhookDeliveryAttempt,
];
