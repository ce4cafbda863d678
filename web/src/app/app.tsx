import { NavLink, Route, Routes } from 'react-router';
import { AccountsNav } from '../auth/accounts-nav.tsx';
import { SessionGate, SessionMenu } from '../auth/session.tsx';
import { ConsoleNav } from '../console/nav.tsx';
import { CampaignsPage } from '../pages/campaigns-page.tsx';
import { DashboardPage } from '../pages/dashboard-page.tsx';
import { EndpointDetailPage } from '../pages/endpoint-detail-page.tsx';
import { EndpointsPage } from '../pages/endpoints-page.tsx';
import { EventCatalogPage } from '../pages/event-catalog-page.tsx';
import { EventDetailPage } from '../pages/event-detail-page.tsx';
import { EventTypePage } from '../pages/event-type-page.tsx';
import { EventsPage } from '../pages/events-page.tsx';
import { InboxPage } from '../pages/inbox-page.tsx';
import { RunDetailPage } from '../pages/run-detail-page.tsx';
import { RunsPage } from '../pages/runs-page.tsx';
import { SettingsPage } from '../pages/settings-page.tsx';
import { ApiKeysPage } from '../pages/api-keys-page.tsx';
import { CredentialsPage } from '../pages/credentials-page.tsx';
import { AuditPage } from '../pages/audit-page.tsx';
import { LoginPage } from '../pages/login-page.tsx';
import { UsersPage } from '../pages/users-page.tsx';
import { WorkflowEditorPage } from '../pages/workflow-editor-page.tsx';
import { WorkflowsPage } from '../pages/workflows-page.tsx';

export function App() {
  return (
    <SessionGate login={<LoginPage />}>
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Tripline</div>
        <NavLink to="/workflows">Workflows</NavLink>
        <ConsoleNav />
        <AccountsNav />
        <SessionMenu />
      </nav>
      <main className="content">
        <Routes>
          <Route path="/" element={<WorkflowsPage />} />
          <Route path="/workflows" element={<WorkflowsPage />} />
          <Route path="/workflows/:id" element={<WorkflowEditorPage />} />
          <Route path="/dashboard" element={<DashboardPage />} />
          <Route path="/runs" element={<RunsPage />} />
          <Route path="/runs/:id" element={<RunDetailPage />} />
          <Route path="/events" element={<EventsPage />} />
          <Route path="/events/:id" element={<EventDetailPage />} />
          <Route path="/catalog" element={<EventCatalogPage />} />
          <Route path="/catalog/:type" element={<EventTypePage />} />
          <Route path="/endpoints" element={<EndpointsPage />} />
          <Route path="/endpoints/:id" element={<EndpointDetailPage />} />
          <Route path="/inbox" element={<InboxPage />} />
          <Route path="/campaigns" element={<CampaignsPage />} />
          <Route path="/settings" element={<SettingsPage />} />
          <Route path="/users" element={<UsersPage />} />
          <Route path="/api-keys" element={<ApiKeysPage />} />
          <Route path="/credentials" element={<CredentialsPage />} />
          <Route path="/audit" element={<AuditPage />} />
        </Routes>
      </main>
    </div>
    </SessionGate>
  );
}
