import { Text } from '@mantine/core';
import { Page } from '../../components/Page';
import { RequireAccount } from '../../components/RequireSession';

/** The developer's organisations. */
export function Organisations() {
  return (
    <RequireAccount kind="developer">
      <Page title="Your organisations">
        <Text>Your organisations will be listed here.</Text>
      </Page>
    </RequireAccount>
  );
}
