import type { LookupAddress } from 'node:dns';
import { assertDeliverable, guardedLookup, isPrivateAddress, validateWebhookUrl } from './webhook-url';

const PUBLIC_HOST = 'must name a public host';

describe('validateWebhookUrl', () => {
  it('accepts an https URL anywhere', () => {
    expect(validateWebhookUrl('https://hooks.fintech.example.com/gatehouse', true)).toEqual([]);
    expect(validateWebhookUrl('https://hooks.fintech.example.com/gatehouse', false)).toEqual([]);
  });

  it('accepts plain http to localhost only outside production', () => {
    expect(validateWebhookUrl('http://127.0.0.1:4000/hook', false)).toEqual([]);
    expect(validateWebhookUrl('http://localhost/hook', false)).toEqual([]);
    const https = [{ field: 'url', message: expect.stringContaining('https') }];
    expect(validateWebhookUrl('http://127.0.0.1:4000/hook', true)).toEqual(https);
    expect(validateWebhookUrl('http://hooks.fintech.example.com/', false)).toEqual(https);
  });

  it('refuses the issue example, metadata.google.internal, in production', () => {
    const url = 'https://metadata.google.internal/computeMetadata/v1/';
    expect(validateWebhookUrl(url, true)).toEqual([{ field: 'url', message: expect.stringContaining(PUBLIC_HOST) }]);
  });

  it.each([
    'https://metadata.google.internal./computeMetadata/v1/',
    'https://localhost./hook',
    'https://localhost/hook',
    'https://app.localhost/hook',
    'https://intranet/hook',
    'https://intranet./hook',
    'https://printer.local/hook',
    'https://hooks.test/hook',
    'https://hooks.invalid/hook',
    'https://hooks.example/hook',
    'https://router.home.arpa/hook',
    'https://nas.lan/hook',
    'https://dc01.corp/hook',
    'https://hooks.alt/hook',
    'https://abcdefghijklmnop.onion/hook',
    'https://METADATA.GOOGLE.INTERNAL/hook',
  ])('refuses the local-only name in %s in production', (url) => {
    expect(validateWebhookUrl(url, true)).toEqual([{ field: 'url', message: expect.stringContaining(PUBLIC_HOST) }]);
  });

  it.each([
    'https://10.0.0.5/hook',
    'https://[::1]/hook',
    'https://2130706433/hook',
    'https://0x7f.1/hook',
    'https://0x7f000001/hook',
    'https://0177.0.0.1/hook',
    'https://127.1/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://0xa9fea9fe/hook',
    'https://100.64.0.1/hook',
    'https://[fd00::1]/hook',
    'https://[fe80::1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[::ffff:a9fe:a9fe]/hook',
    'https://8.8.8.8/hook',
  ])('refuses the IP literal in %s in production, whatever its notation', (url) => {
    expect(validateWebhookUrl(url, true)).toEqual([{ field: 'url', message: expect.stringContaining(PUBLIC_HOST) }]);
  });

  it('leaves local names alone outside production (a developer’s own machine)', () => {
    expect(validateWebhookUrl('https://metadata.google.internal/x', false)).toEqual([]);
  });

  it('refuses userinfo, fragments, other schemes and junk', () => {
    expect(validateWebhookUrl('https://user:pw@hooks.example.com/', false)[0]?.message).toContain('userinfo');
    expect(validateWebhookUrl('https://hooks.example.com/#x', false)[0]?.message).toContain('fragment');
    expect(validateWebhookUrl('ftp://hooks.example.com/', false)[0]?.message).toContain('https');
    expect(validateWebhookUrl('not a url', false)[0]?.message).toContain('absolute');
  });
});

describe('assertDeliverable', () => {
  it('refuses, in production, a stored URL that the rule now refuses', () => {
    expect(() => assertDeliverable('https://metadata.google.internal/computeMetadata/v1/', true)).toThrow(/refused/);
    expect(() => assertDeliverable('https://2130706433/hook', true)).toThrow(/refused/);
    expect(() => assertDeliverable('https://hooks.fintech.example.com/', true)).not.toThrow();
    expect(() => assertDeliverable('http://127.0.0.1:4000/hook', false)).not.toThrow();
  });
});

describe('guardedLookup', () => {
  const v4 = (address: string): LookupAddress => ({ address, family: 4 });
  /** A resolver answering each call with the next answer, like a name re-pointed between lookups. */
  const rebinding = (...answers: LookupAddress[][]) => {
    let call = 0;
    return (_host: string, _o: unknown, cb: (e: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) =>
      cb(null, answers[Math.min(call++, answers.length - 1)]!);
  };
  const lookupOnce = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
      lookup('hooks.example.com', { all }, (err, address) => resolve({ err, address })),
    );

  it('refuses at the connection whose lookup answers a private address (DNS rebinding)', async () => {
    const lookup = guardedLookup(true, rebinding([v4('93.184.215.14')], [v4('169.254.169.254')]));
    expect(await lookupOnce(lookup, false)).toEqual({ err: null, address: '93.184.215.14' });
    const second = await lookupOnce(lookup, false);
    expect(second.err?.message).toMatch(/private address/);
  });

  it('refuses a name with any private address among several (Node tries them all)', async () => {
    const lookup = guardedLookup(true, rebinding([v4('93.184.215.14'), v4('10.0.0.7')]));
    expect((await lookupOnce(lookup, true)).err?.message).toMatch(/private address/);
    expect((await lookupOnce(lookup, false)).err?.message).toMatch(/private address/);
  });

  it('lets local addresses through outside production', async () => {
    const lookup = guardedLookup(false, rebinding([v4('127.0.0.1')]));
    expect(await lookupOnce(lookup, true)).toEqual({ err: null, address: [v4('127.0.0.1')] });
  });
});

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::7f00:1',
    '64:ff9b::a00:1',
    '2002:7f00:1::',
    '2001:0:4136:e378::1',
    '192.0.0.8',
    '192.0.2.1',
    'nonsense',
  ])('%s is private', (a) => {
    expect(isPrivateAddress(a)).toBe(true);
  });

  it.each(['8.8.8.8', '151.101.1.69', '2a04:4e42::81', '::ffff:808:808'])('%s is public', (a) => {
    expect(isPrivateAddress(a)).toBe(false);
  });
});
