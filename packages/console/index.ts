import path from 'node:path';

/** The console's static files, served as they are: there is nothing to compile. */
export const CONSOLE_ASSETS = path.join(import.meta.dirname, 'src');

/**
 * What the page reads from `config.json` next to it. `apiUrl` empty means
 * the API is on the page's own origin (the local stack serves both).
 * `devTokens` is true only on the local stack, which can mint tokens.
 */
export interface ConsoleConfig {
  apiUrl: string;
  devTokens: boolean;
}
