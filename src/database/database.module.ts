import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { dataSourceOptions } from './data-source';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        if (!config.database.url)
          throw new Error('database.url must be resolved (embedded or DATABASE_URL) before the app module is built');
        return {
          ...dataSourceOptions(config.database.url, {
            applicationName: `gatehouse-${config.role}`,
            poolSize: config.database.poolSize,
          }),
          retryAttempts: 3,
          retryDelay: 1_000,
        };
      },
    }),
  ],
})
export class DatabaseModule {}
