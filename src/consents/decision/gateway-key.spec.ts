import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { developmentKeyPath, loadDevelopmentGatewayKey } from './gateway-key';

describe('loadDevelopmentGatewayKey', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gatehouse-gateway-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a private 256-bit key once and reads the same key afterwards', () => {
    const path = developmentKeyPath(dir);
    const key = loadDevelopmentGatewayKey(path);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadDevelopmentGatewayKey(path)).toBe(key);
    // No temporary file is left behind.
    expect(readdirSync(join(dir, 'keys'))).toEqual(['gateway-api-key']);
  });
});
