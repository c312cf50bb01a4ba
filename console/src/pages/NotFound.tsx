import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';
import { Page } from '../components/Page';

/** Any console path that matches no page. */
export function NotFound() {
  return (
    <Page title="Page not found" size="sm">
      <Text>
        There is nothing at this address.{' '}
        <Anchor component={Link} to="/">
          Go to the start page
        </Anchor>
        .
      </Text>
    </Page>
  );
}
