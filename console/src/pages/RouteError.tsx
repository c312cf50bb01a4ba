import { Alert, Anchor, Container } from '@mantine/core';
import { isRouteErrorResponse, useRouteError } from 'react-router';

/** What a page that failed to load or render shows instead of a blank screen. */
export function RouteError() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Something went wrong.';
  return (
    <Container size="sm" py="xl">
      <Alert color="red" title="This page could not be shown" role="alert">
        {detail} <Anchor href="/">Start again</Anchor>.
      </Alert>
    </Container>
  );
}
