import { NavLink, Route, Routes } from 'react-router';
import { WorkflowEditorPage } from '../pages/workflow-editor-page.tsx';

export function App() {
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Tripline</div>
        <NavLink to="/workflows/new">Workflows</NavLink>
      </nav>
      <main className="content">
        <Routes>
          <Route path="/" element={<WorkflowEditorPage />} />
          <Route path="/workflows/:id" element={<WorkflowEditorPage />} />
        </Routes>
      </main>
    </div>
  );
}
