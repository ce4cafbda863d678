import type { GraphProblem } from '@tripline/shared';
import { problemText } from './inspector.tsx';

/** The problems that block Publish, over the canvas; a problem on a step takes you to it. */
export function ProblemsList({ problems, onFocus }: { problems: readonly GraphProblem[]; onFocus: (p: GraphProblem) => void }) {
  if (problems.length === 0) return null;
  return (
    <details className="problems" data-testid="problems" open={problems.length <= 3}>
      <summary id="publish-blocked">
        {problems.length} problem{problems.length === 1 ? '' : 's'} to fix before publishing
      </summary>
      <ul>
        {problems.slice(0, 50).map((p, i) => (
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
    </details>
  );
}
