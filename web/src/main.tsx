import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './app/app.tsx';
import './app/app.css';

const PortalApp = lazy(() => import('./portal/portal-app.tsx').then((m) => ({ default: m.PortalApp })));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* The partner portal needs no sign-in: it stands outside the app and its session gate. */}
    {window.location.pathname.startsWith('/portal/') ? <Suspense fallback={null}><PortalApp /></Suspense> : <BrowserRouter><App /></BrowserRouter>}
  </StrictMode>,
);
