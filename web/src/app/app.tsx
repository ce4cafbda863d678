import { Suspense } from 'react';
import { NavLink, Route, Routes } from 'react-router';
import { SessionGate, SessionMenu, useSession } from '../auth/session.tsx';
// straight from its module, not the kit's barrel: the first page's script carries only what it uses
import { Loading } from '../ui/page.tsx';
import { LoginPage } from '../pages/login-page.tsx';
import { NotFoundPage } from '../pages/not-found-page.tsx';
import { pageRoutes } from './routes.tsx';

function Sidebar() {
  const { can } = useSession();
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">Tripline</div>
      {pageRoutes.map(({ path, nav }) =>
        nav && can(nav.permission) ? (
          <NavLink key={path} to={path}>
            {nav.label}
          </NavLink>
        ) : null,
      )}
      <SessionMenu />
    </nav>
  );
}

export function App() {
  return (
    <SessionGate login={<LoginPage />}>
      <div className="shell">
        <Sidebar />
        <main className="content">
          <Suspense fallback={<Loading />}>
            <Routes>
              {pageRoutes.map(({ path, page: Page }) => (
                <Route key={path} path={path} element={<Page />} />
              ))}
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Suspense>
        </main>
      </div>
    </SessionGate>
  );
}
