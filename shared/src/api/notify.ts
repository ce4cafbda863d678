import { z } from 'zod';

/**
 * The SMTP server every email (steps, alerts, the test email) goes through, as the API
 * shows it: never the password, only whether one is stored. `source` says where it comes
 * from: Settings, TRIPLINE_SMTP_URL (when nothing is saved in Settings), or nowhere yet.
 */
export const smtpSecurities = ['starttls', 'tls', 'none'] as const;
export const smtpSettingsSchema = z.object({
  configured: z.boolean(),
  source: z.enum(['settings', 'environment', 'none']),
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  /** `starttls`: plain connection upgraded when the server offers STARTTLS; `tls`: TLS from the first byte (port 465); `none`: never TLS. */
  security: z.enum(smtpSecurities).nullable(),
  username: z.string().nullable(),
  passwordSet: z.boolean(),
  from: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type SmtpSettings = z.infer<typeof smtpSettingsSchema>;

/** Saves the SMTP server. Leave `password` out to keep the stored one; send "" to remove it. */
export const smtpSettingsInputSchema = z.object({
  host: z.string().trim().min(1, 'enter the SMTP server, e.g. smtp.example.com').max(255),
  port: z.number().int().min(1).max(65535),
  security: z.enum(smtpSecurities),
  username: z.string().max(255).optional(),
  password: z.string().max(1000).optional(),
  from: z.email('the From address must be an email address, e.g. shop@example.com').max(255),
});
export type SmtpSettingsInput = z.infer<typeof smtpSettingsInputSchema>;

export const testEmailInputSchema = z.object({ to: z.email('enter the address to send the test email to') });

/** One email or Slack message Tripline sent or is sending, with the server's last answer (never a password or webhook URL). */
export const notificationSchema = z.object({
  id: z.string(),
  kind: z.enum(['email', 'slack']),
  origin: z.enum(['step', 'alert', 'test']),
  runId: z.string().nullable(),
  nodeId: z.string().nullable(),
  workflowId: z.string().nullable(),
  status: z.enum(['pending', 'sending', 'sent', 'failed']),
  attempts: z.number().int(),
  messageId: z.string().nullable(),
  summary: z.string(),
  lastResponse: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  settledAt: z.string().nullable(),
});
export type Notification = z.infer<typeof notificationSchema>;
