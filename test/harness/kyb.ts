import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Actor, bearer } from './actors';
import { pngImage } from './images';
import { TestApp } from './test-app';

const certificate = readFileSync(join(__dirname, '..', 'fixtures', 'uploads', 'certificate-of-incorporation.pdf'));
let seed = 1000;

/**
 * An unregulated organisation with a director, an identity document and a certificate of
 * incorporation: nothing is due, so `POST …/verification/submit` answers 202 and its checks pass.
 * Returns the organisation id.
 */
export async function submittableOrganisation(t: TestApp, dev: Actor): Promise<string> {
  const n = ++seed;
  const organisation = {
    legalName: `Harbour ${n} Ltd`,
    registrationNumber: '12345678',
    country: 'GB',
    registeredAddress: { line1: '2 Quay', city: 'Leeds', postcode: 'LS1 4AP', country: 'GB' },
    regulatoryStatus: { type: 'unregulated' },
  };
  const created = await t.http().post('/v1/organisations').set(bearer(dev.token)).send(organisation).expect(201);
  const org = created.body.id as string;
  const director = { firstName: 'James', lastName: 'Smith', dateOfBirth: '1980-02-03', nationality: 'GB' };
  const people = t.http().post(`/v1/organisations/${org}/people`).set(bearer(dev.token));
  const personId = (await people.send({ ...director, roles: ['director'] }).expect(201)).body.id as string;
  const upload = (file: Buffer, fields: Record<string, string>) => {
    let req = t.http().post(`/v1/organisations/${org}/documents`).set(bearer(dev.token));
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req.attach('file', file, { filename: 'upload', contentType: 'application/octet-stream' });
  };
  const documentNumber = `DL${n}X${Date.now()}`.slice(0, 16);
  const licence = { type: 'driving_licence', personId, documentNumber, issuingCountry: 'GB', expiresOn: '2034-01-01' };
  await upload(pngImage(90, 60, n), licence).expect(201);
  // A unique tail keeps the duplicate-document check from linking organisations of one run.
  const uniqueCertificate = Buffer.concat([certificate, Buffer.from(`% ${org}\n%%EOF\n`)]);
  await upload(uniqueCertificate, { type: 'certificate_of_incorporation' }).expect(201);
  return org;
}
