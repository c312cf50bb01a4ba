import { Text } from '@mantine/core';
import { Page } from '../../components/Page';
import { RequireAccount } from '../../components/RequireSession';

/** The review queue. */
export function Queue() {
  return (
    <RequireAccount kind="staff">
      <Page title="Review queue">
        <Text>The review queue will be here.</Text>
      </Page>
    </RequireAccount>
  );
}
