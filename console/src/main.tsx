import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './styles.css';
import { MantineProvider, createTheme } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { StrictMode, useEffect } from 'react';
import { setNonce } from 'get-nonce';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router/dom';
import { router } from './router';
import { SessionProvider, useSession } from './session/session';

// Mantine's default blue on white fails WCAG AA for small text; this shade passes (4.5:1 and more).
const theme = createTheme({ primaryColor: 'indigo', primaryShade: 8 });

/** This page load's CSP nonce (the server writes it into index.html): Mantine's <style> elements carry it. */
const styleNonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';
// Modals lock scrolling with a <style> element (react-remove-scroll, via get-nonce): it carries the nonce too.
setNonce(styleNonce);

/** Marks <html data-ready> once the first session check is done: tests and bench/console.ts wait for it. */
function ReadyMarker() {
  const { me, customer } = useSession();
  useEffect(() => {
    if (me !== undefined && customer !== undefined) document.documentElement.dataset.ready = 'true';
  }, [me, customer]);
  return null;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light" getStyleNonce={() => styleNonce}>
      <Notifications />
      <SessionProvider>
        <ReadyMarker />
        <RouterProvider router={router} />
      </SessionProvider>
    </MantineProvider>
  </StrictMode>,
);
