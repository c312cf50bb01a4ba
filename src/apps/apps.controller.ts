import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { OrganisationMember, Public, Staff } from '../auth/access.decorator';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, RequestId } from '../auth/principal';
import { PageQueryDto, pageSize } from '../common/pagination/pagination';
import { AppReviewsService } from './app-reviews.service';
import { AppsService } from './apps.service';
import { CertificatesService } from './ca/certificates.service';
import { CredentialsService } from './credentials/credentials.service';
import {
  SCOPES,
  SCOPE_NAMES,
  SECURITY_ATTESTATION,
  SECURITY_ATTESTATION_ITEMS,
  TIER_REQUIREMENTS,
} from './credentials/scopes';
import {
  ClientJwksDto,
  CreateAppDto,
  IssueCertificateDto,
  IssueCredentialDto,
  ProductionAccessDto,
  RevokeCertificateDto,
  SuspendAppDto,
  UpdateAppDto,
  WebhookDto,
} from './dto/app.dto';
import {
  AppAnswer,
  AppList,
  AttestationList,
  CertificateAnswer,
  CertificateList,
  CreatedAppAnswer,
  DeliveryList,
  ProductionAccessAnswer,
  ProductionAccessList,
  ScopeList,
  WebhookAnswer,
  WebhookSetAnswer,
} from './dto/app-view.dto';
import { WebhooksService } from './webhooks/webhooks.service';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Any unique string (a UUID is ideal). Retrying with the same key and body within 24 hours returns the first answer (the same secret or certificate) instead of issuing another.',
};

/** Replayed answers say so, so a client can tell a retry from a first issuance. */
function markReplay(res: Response, replayed: boolean): void {
  if (replayed) res.setHeader('Idempotency-Replayed', 'true');
}

@ApiTags('apps')
@Controller('v1/organisations/:orgId/apps')
export class AppsController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly apps: AppsService,
    private readonly credentials: CredentialsService,
    private readonly certificates: CertificatesService,
    private readonly webhooks: WebhooksService,
  ) {}

  @Post()
  @OrganisationMember('owner', 'admin')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Register an app; the answer holds its sandbox client id and secret, shown this once' })
  @ApiCreatedResponse({ type: CreatedAppAnswer })
  async create(
    @Param('orgId') orgId: string,
    @Body() body: CreateAppDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
    @RequestId() requestId?: string,
  ) {
    const result = await this.apps.create(orgId, principal, body, idempotencyKey, requestId);
    markReplay(res, result.replayed);
    return result.body;
  }

  @Get()
  @OrganisationMember()
  @ApiOkResponse({ type: AppList })
  list(@Param('orgId') orgId: string, @Query() query: PageQueryDto) {
    return this.apps.list(orgId, { limit: pageSize(query), cursor: query.cursor });
  }

  @Get(':appId')
  @OrganisationMember()
  @ApiOkResponse({ type: AppAnswer })
  get(@Param('orgId') orgId: string, @Param('appId') appId: string) {
    return this.apps.get(orgId, appId);
  }

  @Patch(':appId')
  @OrganisationMember('owner', 'admin')
  update(
    @Param('orgId') orgId: string,
    @Param('appId') appId: string,
    @Body() body: UpdateAppDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ) {
    return this.apps.update(orgId, appId, principal, body, requestId);
  }

  @Put(':appId/jwks')
  @OrganisationMember('owner', 'admin')
  @ApiOperation({
    summary:
      'Register the JWKS the app signs private_key_jwt client assertions with (production client id; PS256, ES256 or EdDSA); [] removes it',
  })
  setJwks(
    @Param('orgId') orgId: string,
    @Param('appId') appId: string,
    @Body() body: ClientJwksDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ) {
    return this.apps.setClientJwks(orgId, appId, principal, body.keys, requestId);
  }

  @Post(':appId/production-access')
  @OrganisationMember('owner', 'admin')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Ask for production access: a justification per scope, privacy policy, retention and the security attestation (GET /v1/security-attestation explains each item). 409 until the organisation is approved.',
  })
  @ApiAcceptedResponse({ type: ProductionAccessAnswer })
  requestProductionAccess(
    @Param('orgId') orgId: string,
    @Param('appId') appId: string,
    @Body() body: ProductionAccessDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ) {
    return this.apps.requestProductionAccess(orgId, appId, principal, body, requestId);
  }

  @Get(':appId/production-access')
  @OrganisationMember()
  @ApiOperation({ summary: 'The app’s production-access requests and their outcomes, newest first' })
  @ApiOkResponse({ type: ProductionAccessList })
  productionAccess(@Param('orgId') orgId: string, @Param('appId') appId: string) {
    return this.apps.productionAccess(orgId, appId);
  }

  @Post(':appId/credentials')
  @OrganisationMember('owner', 'admin')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({
    summary:
      'Issue a client secret (the first production one, or a rotation); shown once. The previous secret keeps working for the grace period (24 h by default).',
  })
  async issueCredential(
    @Param('orgId') orgId: string,
    @Param('appId') appId: string,
    @Body() body: IssueCredentialDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
    @RequestId() requestId?: string,
  ) {
    const result = await this.credentials.issue(orgId, appId, body.environment, principal, idempotencyKey, requestId);
    markReplay(res, result.replayed);
    return result.body;
  }

  @Get(':appId/credentials')
  @OrganisationMember()
  @ApiOperation({
    summary:
      'The app’s secrets by prefix, with status (current, grace, expired, revoked); never the secrets themselves',
  })
  listCredentials(@Param('orgId') orgId: string, @Param('appId') appId: string) {
    return this.credentials.list(orgId, appId);
  }

  @Delete(':appId/credentials/:credentialId')
  @OrganisationMember('owner', 'admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a secret at once, without grace' })
  async revokeCredential(
    @Param('orgId') orgId: string,
    @Param('appId') appId: string,
    @Param('credentialId') credentialId: string,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<void> {
    await this.credentials.revoke(orgId, appId, credentialId, principal, requestId);
  }

  @Post(':appId/certificates')
  @OrganisationMember('owner', 'admin')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({
    summary:
      'Sign a CSR with Gatehouse’s CA: a client-auth certificate for the app (≤ 397 days). Several may be active at once, so rotation needs no downtime.',
  })
  @ApiCreatedResponse({ type: CertificateAnswer })
  async issueCertificate(
    @Param('orgId') orgId: string,
    @Param('appId') appId: string,
    @Body() body: IssueCertificateDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
    @RequestId() requestId?: string,
  ) {
    const result = await this.certificates.issue(orgId, appId, body.csr, principal, idempotencyKey, requestId);
    markReplay(res, result.replayed);
    return result.body;
  }

  @Get(':appId/certificates')
  @OrganisationMember()
  @ApiOkResponse({ type: CertificateList })
  listCertificates(@Param('orgId') orgId: string, @Param('appId') appId: string) {
    return this.certificates.list(orgId, appId);
  }

  @Post(':appId/certificates/:certificateId/revoke')
  @OrganisationMember('owner', 'admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a certificate; it appears in GET /v1/ca.crl' })
  revokeCertificate(
    @Param('orgId') orgId: string,
    @Param('appId') appId: string,
    @Param('certificateId') certificateId: string,
    @Body() body: RevokeCertificateDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ) {
    return this.certificates.revoke(orgId, appId, certificateId, body.reason ?? 'unspecified', principal, requestId);
  }

  @Get(':appId/webhook')
  @OrganisationMember()
  @ApiOkResponse({ type: WebhookAnswer })
  async getWebhook(@Param('orgId') orgId: string, @Param('appId') appId: string) {
    return this.webhooks.get(await this.apps.find(orgId, appId));
  }

  @Put(':appId/webhook')
  @OrganisationMember('owner', 'admin')
  @ApiOperation({
    summary:
      'Set the webhook URL; the answer holds a new signing secret (gatehouse_whsec_…), shown once. Events carry a Gatehouse-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">.',
  })
  @ApiOkResponse({ type: WebhookSetAnswer })
  setWebhook(
    @Param('orgId') orgId: string,
    @Param('appId') appId: string,
    @Body() body: WebhookDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ) {
    return this.dataSource.transaction(async (m) =>
      this.webhooks.set(m, await this.apps.find(orgId, appId, m, true), body.url, principal, requestId),
    );
  }

  @Delete(':appId/webhook')
  @OrganisationMember('owner', 'admin')
  @HttpCode(204)
  async removeWebhook(
    @Param('orgId') orgId: string,
    @Param('appId') appId: string,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<void> {
    await this.dataSource.transaction(async (m) =>
      this.webhooks.remove(m, await this.apps.find(orgId, appId, m, true), principal, requestId),
    );
  }

  @Get(':appId/webhook/deliveries')
  @OrganisationMember()
  @ApiOperation({ summary: 'The delivery log: every event, its attempts, status codes and the next retry' })
  @ApiOkResponse({ type: DeliveryList })
  async deliveries(@Param('orgId') orgId: string, @Param('appId') appId: string, @Query() query: PageQueryDto) {
    const app = await this.apps.find(orgId, appId);
    return this.webhooks.listDeliveries(app.id, { limit: pageSize(query), cursor: query.cursor });
  }
}

@ApiTags('apps')
@Controller('v1')
export class CatalogueController {
  constructor(private readonly certificates: CertificatesService) {}

  @Get('scopes')
  @Public()
  @ApiOperation({
    summary:
      'The scope catalogue: what each scope lets an app see or do, its risk tier and what production access to it needs',
  })
  @ApiOkResponse({ type: ScopeList })
  scopes() {
    return {
      data: SCOPE_NAMES.map((name) => ({
        name,
        ...SCOPES[name],
        productionRequires: TIER_REQUIREMENTS[SCOPES[name].tier],
      })),
    };
  }

  @Get('security-attestation')
  @Public()
  @ApiOperation({
    summary: 'The security attestation asked with a production-access request, each item with why it matters',
  })
  @ApiOkResponse({ type: AttestationList })
  attestation() {
    return { data: SECURITY_ATTESTATION_ITEMS.map((item) => ({ item, ...SECURITY_ATTESTATION[item] })) };
  }

  @Get('ca.pem')
  @Public()
  @ApiOperation({ summary: 'Gatehouse’s client CA certificate (PEM): trust it to verify client certificates' })
  async caPem(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.type('application/x-pem-file');
    return this.certificates.caPem();
  }

  @Get('ca.crl')
  @Public()
  @ApiOperation({ summary: 'The certificate revocation list (DER, application/pkix-crl)' })
  async crl(@Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    res.setHeader('cache-control', 'public, max-age=300');
    return new StreamableFile(await this.certificates.crlDer(), { type: 'application/pkix-crl' });
  }
}

@ApiTags('review')
@Controller('v1/review/apps')
export class AppSuspensionController {
  constructor(private readonly reviews: AppReviewsService) {}

  @Post(':appId/suspend')
  @Staff('senior_reviewer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Suspend one app’s production access at once (its production secrets and certificates stop working)',
  })
  suspend(
    @Param('appId', new ParseUUIDPipe()) appId: string,
    @Body() body: SuspendAppDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ) {
    return this.reviews.setSuspended(appId, true, body.reason, principal, requestId);
  }

  @Post(':appId/reinstate')
  @Staff('senior_reviewer')
  @HttpCode(200)
  reinstate(
    @Param('appId', new ParseUUIDPipe()) appId: string,
    @Body() body: SuspendAppDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ) {
    return this.reviews.setSuspended(appId, false, body.reason, principal, requestId);
  }
}
