import { isPrivateAddress, validateWebhookUrl } from './webhook-url';

describe('validateWebhookUrl', () => {
  it('accepts an https URL anywhere', () => {
    expect(validateWebhookUrl('https://hooks.fintech.example.com/gatehouse', true)).toEqual([]);
    expect(validateWebhookUrl('https://hooks.fintech.example.com/gatehouse', false)).toEqual([]);
  });

  it('accepts plain http to localhost only outside production', () => {
    expect(validateWebhookUrl('http://127.0.0.1:4000/hook', false)).toEqual([]);
    expect(validateWebhookUrl('http://localhost/hook', false)).toEqual([]);
    expect(validateWebhookUrl('http://127.0.0.1:4000/hook', true)).toEqual([{ field: 'url', message: expect.stringContaining('https') }]);
    expect(validateWebhookUrl('http://hooks.fintech.example.com/', false)).toEqual([{ field: 'url', message: expect.stringContaining('https') }]);
  });

  it('refuses IP literals and local names in production', () => {
    for (const url of ['https://10.0.0.5/hook', 'https://[::1]/hook', 'https://localhost/hook', 'https://intranet/hook']) {
      expect(validateWebhookUrl(url, true)).toEqual([{ field: 'url', message: expect.stringContaining('public host') }]);
    }
  });

  it('refuses userinfo, fragments, other schemes and junk', () => {
    expect(validateWebhookUrl('https://user:pw@hooks.example.com/', false)[0]?.message).toContain('userinfo');
    expect(validateWebhookUrl('https://hooks.example.com/#x', false)[0]?.message).toContain('fragment');
    expect(validateWebhookUrl('ftp://hooks.example.com/', false)[0]?.message).toContain('https');
    expect(validateWebhookUrl('not a url', false)[0]?.message).toContain('absolute');
  });
});

describe('isPrivateAddress', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a00:1', '2002:7f00:1::', '192.0.0.8', 'nonsense'])('%s is private', (a) => {
    expect(isPrivateAddress(a)).toBe(true);
  });

  it.each(['8.8.8.8', '151.101.1.69', '2a04:4e42::81', '::ffff:808:808'])('%s is public', (a) => {
    expect(isPrivateAddress(a)).toBe(false);
  });
});
