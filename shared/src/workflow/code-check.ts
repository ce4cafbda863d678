import { parse } from 'acorn';

export interface CodeSyntaxError {
  /** 1-based, in the code as written in the step. */
  line: number;
  column: number;
  message: string;
}

/**
 * Compiles a code step's body the way the sandbox wraps it (server/src/sandbox/quickjs.ts:
 * a strict `function (input) { … }`), without running it: a parser, not `new Function`, so
 * the same check runs in the editor and at publish. Returns the first syntax error, with
 * the line as the person sees it, or undefined when the code compiles.
 */
export function checkCodeSyntax(source: string): CodeSyntaxError | undefined {
  // two lines precede the body, as in the sandbox, so positions map back by subtracting them
  const program = `"use strict";\n(function (input) {\n${source}\n});`;
  try {
    parse(program, { ecmaVersion: 'latest', sourceType: 'script', locations: true });
    return undefined;
  } catch (error) {
    const e = error as { message?: string; loc?: { line: number; column: number } };
    const line = Math.min(Math.max((e.loc?.line ?? 3) - 2, 1), source.split('\n').length);
    // acorn appends "(line:col)" in program coordinates; drop it, the line is ours
    const message = (e.message ?? 'syntax error').replace(/\s*\(\d+:\d+\)$/, '');
    return { line, column: (e.loc?.column ?? 0) + 1, message };
  }
}
