import type { RelayTelemetry } from '@auditflow/relay';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

/** Relay telemetry that keeps every log line, for tests that read what the relay reported. */
export function recordingTelemetry(): RelayTelemetry & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const record =
    (level: LogLine['level']) =>
    (message: string, attributes: Record<string, unknown> = {}) => {
      lines.push({ level, message, attributes });
    };
  return { lines, info: record('info'), warn: record('warn'), error: record('error') };
}
