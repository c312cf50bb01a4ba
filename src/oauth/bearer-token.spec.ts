import { bearerToken } from './bearer-token';

describe('bearerToken: access tokens in the Authorization header only (FAPI 2.0 §5.3.3)', () => {
  it('takes the token from Authorization: Bearer', () => {
    expect(bearerToken({ authorization: 'Bearer abc-DEF_123' })).toEqual({ ok: true, token: 'abc-DEF_123' });
  });

  it.each([
    ['the query string', { query: { access_token: 'abc' } }],
    ['a form body', { body: { access_token: 'abc' } }],
    ['the query string, even beside the header', { authorization: 'Bearer abc', query: { access_token: 'abc' } }],
  ])('refuses a token in %s', (_, source) => {
    expect(bearerToken(source)).toMatchObject({ ok: false, error: 'invalid_request' });
  });

  it.each([undefined, '', 'Basic YTpi', 'Bearer', 'Bearer a b', 'Bearer ä'])(
    'refuses Authorization %p',
    (authorization) => {
      expect(bearerToken({ authorization })).toMatchObject({ ok: false, error: 'invalid_token' });
    },
  );
});
