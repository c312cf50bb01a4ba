import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestApp, startTestApp } from './harness/test-app';

/**
 * The console's typed API client is generated from console/openapi.json (openapi-typescript, at
 * build). That file must be the document the server serves, or the console's types lie about the
 * API. `UPDATE_CONSOLE_OPENAPI=1 npm run test:e2e -- test/console-api-document.e2e-spec.ts` rewrites it.
 */
const committedPath = join(__dirname, '..', 'console', 'openapi.json');

describe('console API document', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  it('console/openapi.json is the document the server serves at /docs-json', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const served = `${JSON.stringify(res.body, null, 2)}\n`;
    if (process.env.UPDATE_CONSOLE_OPENAPI === '1') writeFileSync(committedPath, served);
    const committed = readFileSync(committedPath, 'utf8');
    if (committed !== served) {
      throw new Error(
        'console/openapi.json is stale: run `UPDATE_CONSOLE_OPENAPI=1 npm run test:e2e -- test/console-api-document.e2e-spec.ts` and commit it',
      );
    }
  });
});
