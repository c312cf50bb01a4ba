import { isIpLiteral, isLocalOnlyHostname } from './host-names';

describe('isLocalOnlyHostname', () => {
  it.each([
    'metadata.google.internal',
    'metadata.google.internal.',
    'localhost',
    'localhost.',
    'app.localhost',
    'printer.local',
    'hooks.test',
    'hooks.invalid',
    'hooks.example',
    'router.home.arpa',
    '1.0.0.127.in-addr.arpa',
    'fileserver.intranet',
    'nas.lan',
    'dc01.corp',
    'box.home',
    'vault.private',
    'host.localdomain',
    'hooks.alt',
    'duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion',
    'metadata',
    'intranet',
    'a..b',
    'INTERNAL.Example.INTERNAL',
  ])('%s can only be local', (host) => {
    expect(isLocalOnlyHostname(host)).toBe(true);
  });

  const publicNames = ['hooks.fintech.example.com', 'example.com', 'hooks.example.com.', 'internal.bank.co.uk'];
  it.each(publicNames)('%s is a public name', (host) => {
    expect(isLocalOnlyHostname(host)).toBe(false);
  });
});

describe('isIpLiteral', () => {
  it('knows literals as URL.hostname writes them', () => {
    expect(isIpLiteral('127.0.0.1')).toBe(true);
    expect(isIpLiteral('[::1]')).toBe(true);
    expect(isIpLiteral('hooks.example.com')).toBe(false);
  });
});
