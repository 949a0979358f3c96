#!/usr/bin/env node
// Builds the web console (packages/server/console, docs/console.md) into packages/server/dist/console:
// esbuild bundles the TypeScript (Preact, JSX) into console.js and its stylesheet into console.css,
// both minified with linked source maps; index.html is written with each bundle's content hash in
// its URL, so a browser never pairs a new page with an old cached script. Type-checking is `tsc -b`'s
// (packages/server/console/tsconfig.json); esbuild only strips types. Part of `npm run build` and of
// the server package's `prepack`, so the published tarball carries the built console.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'packages/server/console');
const out = join(root, 'packages/server/dist/console');
mkdirSync(out, { recursive: true });

await build({
  absWorkingDir: root,
  entryPoints: { console: join(source, 'src/main.tsx') },
  outdir: out,
  bundle: true,
  format: 'esm',
  // Browsers of the last few years (ES modules, <dialog>, optional chaining).
  target: ['chrome111', 'edge111', 'firefox115', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: 'linked',
  sourcesContent: true,
  legalComments: 'eof',
  logLevel: 'warning',
});

const hash = (name) => createHash('sha256').update(readFileSync(join(out, name))).digest('hex').slice(0, 12);
const page = readFileSync(join(source, 'index.html'), 'utf8').replace('%JS_HASH%', hash('console.js')).replace('%CSS_HASH%', hash('console.css'));
writeFileSync(join(out, 'index.html'), page);
copyFileSync(join(source, 'favicon.svg'), join(out, 'favicon.svg'));
// Preact is bundled into console.js: its MIT notice ships beside it.
const preactLicense = join(dirname(createRequire(join(source, 'package.json')).resolve('preact/package.json')), 'LICENSE');
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.txt'), `console.js bundles Preact (https://preactjs.com):\n\n${readFileSync(preactLicense, 'utf8')}`);
