import type { GraphProblem } from '@tripline/shared';
import { problemText } from './inspector.tsx';

/**
 * The problems that block Publish, over the canvas, and below them the warnings that do not
 * (the stock trap); an entry on a step takes you to it.
 */
export function ProblemsList({ problems, warnings = [], onFocus }: { problems: readonly GraphProblem[]; warnings?: readonly GraphProblem[]; onFocus: (p: GraphProblem) => void }) {
  if (problems.length === 0 && warnings.length === 0) return null;
  const list = (items: readonly GraphProblem[]) => (
    <ul>
      {items.slice(0, 50).map((p, i) => (
        <li key={i}>
          {p.nodeId ? (
            <button type="button" className="link-button" onClick={() => onFocus(p)}>
              {problemText(p)}
            </button>
          ) : (
            problemText(p)
          )}
        </li>
      ))}
    </ul>
  );
  return (
    <div className="problems-stack">
      {problems.length > 0 && (
        <details className="problems" data-testid="problems" open={problems.length <= 3}>
          <summary id="publish-blocked">
            {problems.length} problem{problems.length === 1 ? '' : 's'} to fix before publishing
          </summary>
          {list(problems)}
        </details>
      )}
      {warnings.length > 0 && (
        <details className="problems warnings" data-testid="warnings" open>
          <summary>
            {warnings.length} warning{warnings.length === 1 ? '' : 's'} (you can still publish)
          </summary>
          {list(warnings)}
        </details>
      )}
    </div>
  );
}
