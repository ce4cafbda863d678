import type { SaveStatus } from './use-draft-saver.ts';
import type { Notice } from './use-publish.ts';

interface Props {
  readOnlyReason: string | undefined;
  status: SaveStatus;
  saveError: string | undefined;
  notice: Notice | undefined;
  onDismiss: () => void;
  onRetrySave: () => void;
  onReloadTheirs: () => void;
  onOverwrite: () => void;
}

/** What the editor tells the person above the canvas: read-only, a save conflict or failure, a publish result. */
export function EditorBanners({ readOnlyReason, status, saveError, notice, onDismiss, onRetrySave, onReloadTheirs, onOverwrite }: Props) {
  return (
    <>
      {readOnlyReason && (
        <div className="banner info" role="note" data-testid="read-only-note">
          {readOnlyReason}
        </div>
      )}
      {status === 'conflict' && (
        <div className="banner error" role="alert">
          Someone else saved this workflow since you opened it; your latest changes are not saved.
          <button type="button" onClick={onReloadTheirs}>
            Reload their version
          </button>
          <button type="button" onClick={onOverwrite}>
            Overwrite with mine
          </button>
        </div>
      )}
      {status === 'error' && saveError && (
        <div className="banner error" role="alert">
          Saving failed: {saveError}{' '}
          <button type="button" onClick={onRetrySave}>
            Retry
          </button>
        </div>
      )}
      {notice && (
        <div className={`banner ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
          {notice.details && notice.details.length > 0 && (
            <ul>
              {notice.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
            ×
          </button>
        </div>
      )}
    </>
  );
}
