import type { PublishResult, Workflow } from '@tripline/shared';
import { useEffect, useRef, useState } from 'react';
import { Inspector } from './inspector.tsx';
import { useCanvas, type CanvasState } from './store.ts';
import { TestRunPanel } from './test-run-panel.tsx';
import { useTestRun } from './use-test-run.ts';
import { VersionsPanel } from './versions-panel.tsx';

type Tab = 'step' | 'test' | 'versions';
const tabTitles: Record<Tab, string> = { step: 'Step', test: 'Test run', versions: 'Versions' };
const selectSelectedId = (s: CanvasState) => s.nodes.find((n) => n.selected)?.id;

/** The editor's right-hand panel: the selected step's form, the test run and the versions. */
export function SidePanel({ workflow, readOnly, save, onPublished }: { workflow: Workflow; readOnly: boolean; save: () => Promise<boolean>; onPublished: (r: PublishResult) => void }) {
  const [tab, setTab] = useState<Tab>('step');
  const selectedId = useCanvas(selectSelectedId);
  const lastSelected = useRef<string | undefined>(undefined);
  const runner = useTestRun(workflow.id, save);

  // selecting another step shows its form, whichever tab was open
  useEffect(() => {
    if (selectedId && selectedId !== lastSelected.current) setTab('step');
    lastSelected.current = selectedId;
  }, [selectedId]);

  return (
    <aside className="side-panel">
      <div className="tabs" role="tablist" aria-label="Panels">
        {/* A test run needs workflows:write (it runs code and may call out): hidden from read-only readers. */}
        {(Object.keys(tabTitles) as Tab[]).filter((t) => !(readOnly && t === 'test')).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {tabTitles[t]}
          </button>
        ))}
      </div>
      <div className="panel-body">
        {tab === 'step' && <Inspector readOnly={readOnly} runner={runner} />}
        {tab === 'test' && <TestRunPanel runner={runner} />}
        {tab === 'versions' && <VersionsPanel workflow={workflow} onPublished={onPublished} readOnly={readOnly} />}
      </div>
    </aside>
  );
}
