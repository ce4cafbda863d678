import { NavLink, Route, Routes } from 'react-router';
import { AccountsNav } from '../auth/accounts-nav.tsx';
import { SessionGate, SessionMenu } from '../auth/session.tsx';
import { ApiKeysPage } from '../pages/api-keys-page.tsx';
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
        <AccountsNav />
        <SessionMenu />
      </nav>
      <main className="content">
        <Routes>
          <Route path="/" element={<WorkflowsPage />} />
          <Route path="/workflows" element={<WorkflowsPage />} />
          <Route path="/workflows/:id" element={<WorkflowEditorPage />} />
          <Route path="/users" element={<UsersPage />} />
          <Route path="/api-keys" element={<ApiKeysPage />} />
          <Route path="/audit" element={<AuditPage />} />
        </Routes>
      </main>
    </div>
    </SessionGate>
  );
}
