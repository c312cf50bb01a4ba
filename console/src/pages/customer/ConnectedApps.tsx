import { Text } from '@mantine/core';
import { Page } from '../../components/Page';
import { RequireCustomer } from '../../components/RequireSession';

/** The customer's dashboard: the apps that can read their data. */
export function ConnectedApps() {
  return (
    <RequireCustomer>
      <Page title="Your connected apps">
        <Text>Your connected apps will be listed here.</Text>
      </Page>
    </RequireCustomer>
  );
}
