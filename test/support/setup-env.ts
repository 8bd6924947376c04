// Tests read logs only when they ask for them.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
