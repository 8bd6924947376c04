import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Splits a handler reference, the form SST's `handler` option takes:
 * `functions/api/health.handler` names the export `handler` of
 * `functions/api/health.ts`. Throws for a reference without an export name.
 */
export function parseHandler(handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) {
    throw new Error(`handler "${handler}" is not <module path>.<export name>`);
  }
  return { file: `${handler.slice(0, dot)}.ts`, exportName: handler.slice(dot + 1) };
}

/**
 * Imports the function a handler reference names, as Lambda would load it.
 * Throws when the module has no such export or it is not a function.
 */
export async function loadHandler<T extends (...args: never[]) => unknown>(
  handler: string,
  /** The repository root, against which the module path resolves. */
  root = path.resolve(import.meta.dirname, '..'),
): Promise<T> {
  const { file, exportName } = parseHandler(handler);
  const module = (await import(pathToFileURL(path.join(root, file)).href)) as Record<
    string,
    unknown
  >;
  const loaded = module[exportName];
  if (typeof loaded !== 'function')
    throw new Error(`${handler}: ${file} exports no function ${exportName}`);
  return loaded as T;
}
