import type { Workflow } from '@tripline/shared';
import { Link } from 'react-router';
import { publisherRoles } from './permissions.ts';
import type { SaveStatus } from './use-draft-saver.ts';
import type { ShortcutActions } from './use-shortcuts.ts';

const saveLabels: Record<SaveStatus, string> = {
  saved: 'All changes saved',
  unsaved: 'Unsaved changes…',
  saving: 'Saving…',
  error: 'Not saved',
  conflict: 'Not saved: conflict',
};

/** The bar's buttons: the keyboard's actions it shows, and export. */
export type EditorActions = Pick<ShortcutActions, 'undo' | 'redo' | 'layout' | 'fit'> & { exportJson: () => void };

interface Props {
  workflow: Workflow;
  name: string;
  setName: (name: string) => void;
  status: SaveStatus;
  readOnly: boolean;
  canUndo: boolean;
  canRedo: boolean;
  actions: EditorActions;
  /** Why Publish is off, when it is: the problems' id for aria-describedby. */
  invalid: boolean;
  publishBlocked: boolean;
  publishing: boolean;
  onPublish: () => void;
  onToggleEnabled: () => void;
}

/** The editor's top bar: name, save state, editing tools, the live version and Publish. */
export function EditorBar({ workflow, name, setName, status, readOnly, canUndo, canRedo, actions, invalid, publishBlocked, publishing, onPublish, onToggleEnabled }: Props) {
  const named = name.trim() !== '';
  return (
    <header className="editor-bar">
      <Link to="/workflows" className="back-link" aria-label="All workflows">
        ←
      </Link>
      <label className="visually-hidden" htmlFor="workflow-name">
        Workflow name
      </label>
      <input
        id="workflow-name"
        className="name-input"
        value={name}
        disabled={readOnly}
        aria-invalid={named ? undefined : true}
        aria-describedby={named ? undefined : 'workflow-name-error'}
        onChange={(e) => setName(e.target.value)}
      />
      {!named && (
        <span id="workflow-name-error" className="form-error" role="alert">
          A workflow needs a name; it keeps “{workflow.name}” until you type one.
        </span>
      )}
      <span className={`save-status ${status}`} role="status" data-testid="save-status">
        {saveLabels[status]}
      </span>
      <div className="toolbar" role="toolbar" aria-label="Editor">
        <button type="button" onClick={actions.undo} disabled={!canUndo || readOnly} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" onClick={actions.redo} disabled={!canRedo || readOnly} title="Redo (Ctrl+Y)">
          Redo
        </button>
        <button type="button" onClick={actions.layout} disabled={readOnly} title="Tidy layout (L)">
          Layout
        </button>
        <button type="button" onClick={actions.fit} title="Zoom to fit (F)">
          Fit
        </button>
        <button type="button" onClick={actions.exportJson} title="Download as JSON">
          Export
        </button>
      </div>
      <div className="publish-area">
        <span className="muted" data-testid="publish-state">
          {workflow.publishedVersion === null ? 'Never published' : `Live: v${workflow.publishedVersion}${workflow.hasUnpublishedChanges ? ' · draft has changes' : ''}`}
        </span>
        {workflow.publishedVersion !== null && (
          <label className="switch" title="A disabled workflow keeps its versions but starts no runs">
            <input type="checkbox" checked={workflow.enabled} disabled={readOnly} onChange={onToggleEnabled} />
            {workflow.enabled ? 'Enabled' : 'Disabled'}
          </label>
        )}
        <button
          type="button"
          className="primary-button"
          onClick={onPublish}
          disabled={publishBlocked}
          aria-describedby={invalid ? 'publish-blocked' : undefined}
          title={readOnly ? `Only ${publisherRoles()} can publish` : invalid ? 'Fix the problems marked in red first' : 'Make this draft the live version'}
        >
          {publishing ? 'Publishing…' : 'Publish'}
        </button>
      </div>
    </header>
  );
}
