export {
  bundleConsole,
  CONSOLE_ASSETS,
  type ConsoleConfig,
  type ConsoleFile,
  sourcesChangedAt,
} from './bundle';
export { CONSOLE_RESPONSE_HEADERS, viewerResponseInjection } from './headers';
