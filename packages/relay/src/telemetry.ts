import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RelayTelemetry } from './relay';

/** Relay telemetry on Powertools: JSON log lines and CloudWatch metrics (EMF). */
export function powertoolsTelemetry(logger: Logger, metrics?: Metrics): RelayTelemetry {
  return {
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
    metric: metrics
      ? (name, unit, value) =>
          metrics.addMetric(
            name,
            unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds,
            value,
          )
      : undefined,
  };
}
