import { Button, Fieldset, Group, Paper, Select, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client';
import { ApiProblem, unwrap } from '../../api/problem';
import { Page, ProblemAlert } from '../../components/Page';
import { RequireAccount } from '../../components/RequireSession';

type Regulation = 'unregulated' | 'fca_authorised' | 'fca_registered';

/** `POST /v1/organisations`: the company's details; the developer becomes its owner. */
export function CreateOrganisation() {
  return (
    <RequireAccount kind="developer">
      <CreateOrganisationForm />
    </RequireAccount>
  );
}

function CreateOrganisationForm() {
  const navigate = useNavigate();
  const [f, setF] = useState({
    legalName: '',
    tradingName: '',
    registrationNumber: '',
    country: 'GB',
    line1: '',
    line2: '',
    city: '',
    postcode: '',
    website: '',
    regulation: 'unregulated' as Regulation,
    firmReferenceNumber: '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const set = (k: keyof typeof f) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setF((old) => ({ ...old, [k]: value }));
  };
  const fieldError = (...fields: string[]) =>
    error instanceof ApiProblem ? fields.map((x) => error.fieldMessage(x)).find(Boolean) : undefined;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const org = await unwrap(
        api.POST('/v1/organisations', {
          body: {
            legalName: f.legalName,
            ...(f.tradingName ? { tradingName: f.tradingName } : {}),
            registrationNumber: f.registrationNumber,
            country: f.country,
            registeredAddress: {
              line1: f.line1,
              ...(f.line2 ? { line2: f.line2 } : {}),
              city: f.city,
              postcode: f.postcode,
              country: f.country,
            },
            ...(f.website ? { website: f.website } : {}),
            regulatoryStatus: {
              type: f.regulation,
              ...(f.regulation !== 'unregulated' && f.firmReferenceNumber
                ? { firmReferenceNumber: f.firmReferenceNumber }
                : {}),
            },
          },
        }),
      );
      navigate(`/organisations/${org.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Page
      title="Create an organisation"
      lead="The company that builds your app, as it appears on the company register. You become its owner."
    >
      <Paper withBorder p="lg" radius="md">
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Stack>
            <ProblemAlert error={error} title="The organisation was not created" />
            <TextInput
              label="Legal name"
              description="Exactly as on the certificate of incorporation."
              required
              value={f.legalName}
              error={fieldError('legalName')}
              onChange={set('legalName')}
            />
            <TextInput
              label="Trading name (optional)"
              value={f.tradingName}
              error={fieldError('tradingName')}
              onChange={set('tradingName')}
            />
            <Group grow align="flex-start">
              <TextInput
                label="Company registration number"
                description="For UK companies, the 8 characters Companies House gives, e.g. 01234567 or SC123456."
                required
                value={f.registrationNumber}
                error={fieldError('registrationNumber')}
                onChange={set('registrationNumber')}
              />
              <TextInput
                label="Country of registration"
                description="Two-letter code, e.g. GB."
                required
                maxLength={2}
                value={f.country}
                error={fieldError('country')}
                onChange={set('country')}
              />
            </Group>
            <Fieldset legend="Registered address">
              <Stack>
                <TextInput
                  label="Address line 1"
                  required
                  value={f.line1}
                  error={fieldError('registeredAddress.line1')}
                  onChange={set('line1')}
                />
                <TextInput
                  label="Address line 2 (optional)"
                  value={f.line2}
                  error={fieldError('registeredAddress.line2')}
                  onChange={set('line2')}
                />
                <Group grow align="flex-start">
                  <TextInput
                    label="Town or city"
                    required
                    value={f.city}
                    error={fieldError('registeredAddress.city')}
                    onChange={set('city')}
                  />
                  <TextInput
                    label="Postcode"
                    required
                    value={f.postcode}
                    error={fieldError('registeredAddress.postcode')}
                    onChange={set('postcode')}
                  />
                </Group>
              </Stack>
            </Fieldset>
            <TextInput
              label="Website (optional)"
              type="url"
              placeholder="https://"
              value={f.website}
              error={fieldError('website')}
              onChange={set('website')}
            />
            <Select
              label="Regulation"
              description="Apps asking for identity or payment scopes need an organisation authorised by the FCA."
              data={[
                { value: 'unregulated', label: 'Not regulated by the FCA' },
                { value: 'fca_authorised', label: 'Authorised by the FCA' },
                { value: 'fca_registered', label: 'Registered with the FCA' },
              ]}
              value={f.regulation}
              allowDeselect={false}
              error={fieldError('regulatoryStatus.type', 'regulatoryStatus')}
              onChange={(v) =>
                setF((old) => ({
                  ...old,
                  regulation: (v ?? 'unregulated') as Regulation,
                }))
              }
            />
            {f.regulation !== 'unregulated' && (
              <TextInput
                label="FCA firm reference number"
                description="The 6 or 7 digits on the FCA's register."
                required
                value={f.firmReferenceNumber}
                error={fieldError('regulatoryStatus.firmReferenceNumber')}
                onChange={set('firmReferenceNumber')}
              />
            )}
            <Button type="submit" loading={busy}>
              Create organisation
            </Button>
          </Stack>
        </form>
      </Paper>
    </Page>
  );
}
