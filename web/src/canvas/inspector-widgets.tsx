import { ConditionBuilder } from '../condition-builder/condition-builder.tsx';
import { fieldsForEventType } from '../condition-builder/fields.ts';
import { DurationInput } from '../forms/duration-input.tsx';
import { CampaignPicker, EndpointPicker, SourcePicker } from '../forms/pickers.tsx';
import { SegmentPicker } from '../forms/segment-picker.tsx';
import type { WidgetProps, Widgets } from '../forms/schema-form.tsx';
import { CredentialPicker, ListExpressionInput, SwitchCasesEditor, TextAreaInput } from '../forms/step-widgets.tsx';
import { useMemo } from 'react';
import { TemplateInput, TemplateRecordInput } from '../forms/template-input.tsx';
import { CodeEditor } from '../forms/code-editor.tsx';
import { codeInputPaths, type Variable } from './variables.ts';

/**
 * The inspector's widgets for the formats node schemas declare (`json-logic`, `endpoint-id`, …),
 * with the fields of the event the rules are written over (the trigger's own, or the workflow's).
 */
export function useStepWidgets(eventType: string | undefined, variables: readonly Variable[] = []): Widgets {
  return useMemo<Widgets>(() => {
    const fields = fieldsForEventType(eventType);
    return {
      'json-logic': (p: WidgetProps) => (
        <ConditionBuilder
          id={p.id}
          value={p.value}
          onChange={p.onChange}
          fields={fields}
          invalid={p.invalid}
          describedBy={p.describedBy}
          optional={!p.field.required}
        />
      ),
      'switch-cases': (p: WidgetProps) => (
        <SwitchCasesEditor {...p} renderRule={(r) => <ConditionBuilder id={r.id} value={r.value} onChange={r.onChange} fields={fields} invalid={p.invalid} />} />
      ),
      'list-expression': (p: WidgetProps) => <ListExpressionInput {...p} listPaths={fields.filter((f) => f.type === 'array').map((f) => f.path)} />,
      textarea: (p: WidgetProps) => <TextAreaInput {...p} />,
      code: (p: WidgetProps) => <CodeEditor {...p} completions={codeInputPaths(variables)} />,
      template: (p: WidgetProps) => <TemplateInput {...p} variables={variables} />,
      'template-json': (p: WidgetProps) => <TemplateInput {...p} variables={variables} multiline />,
      'template-record': (p: WidgetProps) => <TemplateRecordInput {...p} variables={variables} />,
      'credential-name': (p: WidgetProps) => <CredentialPicker {...p} />,
      'endpoint-id': (p: WidgetProps) => <EndpointPicker {...p} />,
      'campaign-id': (p: WidgetProps) => <CampaignPicker {...p} />,
      'source-id': (p: WidgetProps) => <SourcePicker {...p} />,
      'duration-seconds': (p: WidgetProps) => <DurationInput {...p} />,
      segment: (p: WidgetProps) => <SegmentPicker {...p} />,
    };
  }, [eventType, variables]);
}
