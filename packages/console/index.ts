import path from 'node:path';

export { bundleConsole, type ConsoleFile, sourcesChangedAt } from './bundle';

/** The console's sources: plain HTML, CSS and ES modules, bundled for serving by bundleConsole. */
export const CONSOLE_ASSETS = path.join(import.meta.dirname, 'src');

/**
 * What the page reads from its inline config. `apiUrl` empty means the API
 * is on the page's own origin (the local stack serves both). `devTokens` is
 * true only on the local stack, which can mint tokens.
 */
export interface ConsoleConfig {
  apiUrl: string;
  devTokens: boolean;
}
