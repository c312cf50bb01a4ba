import type { IncomingMessage } from 'node:http';
import { generateClientId } from '../apps/credentials/client-secret';
import { certificateBindingRefusal } from './certificate-binding';

const req = {} as IncomingMessage;
const consentId = '0b7f4c2e-1d3a-4e5f-8a9b-0c1d2e3f4a5b';

describe('certificateBindingRefusal', () => {
  it('lets a sandbox token without cnf through', () => {
    expect(certificateBindingRefusal({ consentId, clientId: generateClientId('sandbox') }, req)).toBeUndefined();
  });

  it('refuses a certificate-bound token presented without its certificate, sandbox or production', () => {
    for (const env of ['sandbox', 'production'] as const)
      expect(
        certificateBindingRefusal(
          { consentId, clientId: generateClientId(env), certificateThumbprint: 'A'.repeat(43) },
          req,
        ),
      ).toEqual(expect.any(String));
  });

  it('refuses a production token that is not bound, and a client id of no environment', () => {
    expect(certificateBindingRefusal({ consentId, clientId: generateClientId('production') }, req)).toEqual(
      expect.any(String),
    );
    expect(certificateBindingRefusal({ consentId, clientId: 'someone-else' }, req)).toEqual(expect.any(String));
  });
});
