import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { SanctionsIndex, bundledSamplePath } from './sanctions/sanctions-index';

/** The sanctions list loaded once per worker and reloaded when its file changes. */
@Injectable()
export class SanctionsService implements OnApplicationShutdown {
  private readonly logger = new Logger(SanctionsService.name);
  private readonly index: SanctionsIndex;
  readonly path: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.path = config.sanctions.listPath ?? bundledSamplePath();
    if (!config.sanctions.listPath)
      this.logger.warn('SANCTIONS_LIST_PATH is not set: screening against the bundled SAMPLE list, not the real one');
    this.index = new SanctionsIndex();
    this.index.load(this.path);
    this.index.watch(this.path, (e: Error) =>
      this.logger.error(`sanctions list reload failed; keeping the previous list: ${e.message}`),
    );
  }

  screen(query: { name: string; kind: 'person' | 'organisation'; dateOfBirth?: string; nationality?: string }) {
    return this.index.screen(query);
  }

  describe(): { path: string; entries: number; loadedAt: string | null } {
    return { path: this.path, entries: this.index.entries, loadedAt: this.index.loadedAt?.toISOString() ?? null };
  }

  onApplicationShutdown(): void {
    this.index.unwatch();
  }
}
