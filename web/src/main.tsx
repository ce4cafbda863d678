import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './app/app.tsx';
import { PortalApp } from './portal/portal-app.tsx';
import './app/app.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* The partner portal needs no sign-in: it stands outside the app and its session gate. */}
    {window.location.pathname.startsWith('/portal/') ? <PortalApp /> : <BrowserRouter><App /></BrowserRouter>}
  </StrictMode>,
);
