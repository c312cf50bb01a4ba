import { Module } from '@nestjs/common';
import { join } from 'node:path';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ChecksDispatcher, ChecksProcessor } from './checks/checks.processor';
import { ChecksService } from './checks/checks.service';
import { FIRM_REGISTER } from './checks/checks.tokens';
import { FixtureFirmRegister, HttpFirmRegister } from './checks/registry/firm-register';
import { SanctionsService } from './checks/sanctions.service';
import { KycModule } from './kyc.module';

/** Worker role: the automated checks and the daily sanctions re-screening. */
@Module({
  imports: [KycModule, OrganisationsModule],
  providers: [
    ChecksService,
    ChecksProcessor,
    ChecksDispatcher,
    SanctionsService,
    {
      provide: FIRM_REGISTER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.register.url
          ? new HttpFirmRegister(config.register.url)
          : new FixtureFirmRegister(join(__dirname, 'checks', 'registry', 'fca-register.fixture.json')),
    },
  ],
  exports: [ChecksService],
})
export class KycWorkerModule {}
