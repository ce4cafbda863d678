import { workflowInputSchema, type WorkflowInput } from '@tripline/shared';

/** Saves a workflow as a JSON file the import accepts as is. */
export function downloadWorkflow(input: WorkflowInput) {
  const blob = new Blob([`${JSON.stringify(input, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${slug(input.name) || 'workflow'}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

export type ImportResult = { ok: true; workflow: WorkflowInput } | { ok: false; errors: string[] };

/**
 * Parses an imported file: JSON, then the same schema the API uses, so what imports is what
 * the server accepts. Errors name the place ("graph.nodes.2.id: …") so the file can be fixed.
 * An exported workflow with extra fields (id, revision…) imports: they are dropped.
 */
export function parseWorkflowFile(text: string): ImportResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`This file is not JSON: ${err instanceof Error ? err.message : String(err)}`] };
  }
  const parsed = workflowInputSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.slice(0, 20).map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`),
    };
  }
  return { ok: true, workflow: parsed.data };
}
