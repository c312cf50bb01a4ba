import { EnableExtensions1764291600000 } from './1764291600000-EnableExtensions';
import { CreateOutboxAndAudit1764291700000 } from './1764291700000-CreateOutboxAndAudit';
import { CreateAccountsAndOrganisations1764291800000 } from './1764291800000-CreateAccountsAndOrganisations';
import { CreateKyb1764291900000 } from './1764291900000-CreateKyb';
import { CreateChecks1764292000000 } from './1764292000000-CreateChecks';
import { CreateReviewTasks1764292100000 } from './1764292100000-CreateReviewTasks';
import { QueueClaimAudits1764292200000 } from './1764292200000-QueueClaimAudits';
import { CreateApps1764292500000 } from './1764292500000-CreateApps';
import { MailboxKeys1764292600000 } from './1764292600000-MailboxKeys';
import { TotpLastStep1764292700000 } from './1764292700000-TotpLastStep';
import { RevokeLegacyClientSecrets1764292800000 } from './1764292800000-RevokeLegacyClientSecrets';
import { CreateJobOutbox1764292900000 } from './1764292900000-CreateJobOutbox';
import { JobOutboxAttempts1764293000000 } from './1764293000000-JobOutboxAttempts';
import { OrganisationSuspendedAt1764293100000 } from './1764293100000-OrganisationSuspendedAt';
import { CreateCustomers1764293200000 } from './1764293200000-CreateCustomers';
import { CreateConsents1764293300000 } from './1764293300000-CreateConsents';
import { ConsentsEndedIndex1764293320000 } from './1764293320000-ConsentsEndedIndex';
import { CreateAccessLog1764293400000 } from './1764293400000-CreateAccessLog';
import { CreateOAuthModels1764293600000 } from './1764293600000-CreateOAuthModels';
import { AppClientJwks1764293700000 } from './1764293700000-AppClientJwks';
import { SandboxTransactionMerchantKey1764293800000 } from './1764293800000-SandboxTransactionMerchantKey';

/** Every migration, in order. A new migration is added here as well as in its own file. */
export const MIGRATIONS: Function[] = [
  EnableExtensions1764291600000,
  CreateOutboxAndAudit1764291700000,
  CreateAccountsAndOrganisations1764291800000,
  CreateKyb1764291900000,
  CreateChecks1764292000000,
  CreateReviewTasks1764292100000,
  QueueClaimAudits1764292200000,
  CreateApps1764292500000,
  MailboxKeys1764292600000,
  TotpLastStep1764292700000,
  RevokeLegacyClientSecrets1764292800000,
  CreateJobOutbox1764292900000,
  JobOutboxAttempts1764293000000,
  OrganisationSuspendedAt1764293100000,
  CreateCustomers1764293200000,
  CreateConsents1764293300000,
  ConsentsEndedIndex1764293320000,
  CreateAccessLog1764293400000,
  CreateOAuthModels1764293600000,
  AppClientJwks1764293700000,
  SandboxTransactionMerchantKey1764293800000,
];
