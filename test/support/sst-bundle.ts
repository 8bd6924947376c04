import type { BuildOptions } from 'esbuild';

/**
 * esbuild as SST 3+ bundles a Node function for deployment
 * (pkg/runtime/node/build.go): ESM, esnext, everything bundled (the AWS SDK
 * included) but `sharp` and `pg-native`, names kept, minified (nodejs.minify
 * defaults to true), with its createRequire banner. The source map SST
 * writes beside the bundle is not counted: it is not loaded at import.
 */
export const SST_LIKE: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'esnext',
  mainFields: ['module', 'main'],
  external: ['sharp', 'pg-native'],
  keepNames: true,
  minify: true,
  metafile: true,
  logLevel: 'silent',
  banner: {
    js: [
      `import { createRequire as topLevelCreateRequire } from 'module';`,
      'const require = topLevelCreateRequire(import.meta.url);',
      `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
      'const __filename = topLevelFileUrlToPath(import.meta.url)',
      'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))',
    ].join('\n'),
  },
};
