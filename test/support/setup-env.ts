// Tests read logs only when they ask for them.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Metrics go to CloudWatch as log lines (EMF) in Lambda; in tests they would only be noise.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
