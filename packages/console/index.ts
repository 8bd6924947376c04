export {
  bundleConsole,
  CONSOLE_ASSETS,
  type ConsoleConfig,
  type ConsoleFile,
  sourcesChangedAt,
} from './bundle';
