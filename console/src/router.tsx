import { createBrowserRouter } from 'react-router';
import { Shell } from './layout/Shell';
import { customerRoutes } from './pages/customer/routes';
import { developerRoutes } from './pages/developer/routes';
import { Home } from './pages/Home';
import { NotFound } from './pages/NotFound';
import { reviewerRoutes } from './pages/reviewer/routes';
import { SignIn } from './pages/SignIn';
import { SignUp } from './pages/SignUp';
import { VerifyEmail } from './pages/VerifyEmail';
import { RouteError } from './pages/RouteError';

/** Every console page. Each audience's pages are their own chunks, fetched when first opened. */
export const router = createBrowserRouter([
  {
    element: <Shell />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Home /> },
      { path: 'signin', element: <SignIn /> },
      { path: 'signup', element: <SignUp /> },
      { path: 'verify-email', element: <VerifyEmail /> },
      ...developerRoutes,
      ...reviewerRoutes,
      ...customerRoutes,
      { path: '*', element: <NotFound /> },
    ],
  },
]);
