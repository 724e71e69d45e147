/**
 * Jest transformer for the ES-module packages of NestJS 12 (see jest.config.js).
 *
 * Node 20 runs them from CommonJS natively (require(esm)), but Jest's own module loader
 * cannot before Node 24.9, so tests load them as CommonJS: `import.meta` becomes its
 * CommonJS equivalent, then TypeScript rewrites import/export to require/exports.
 */
const { createHash } = require('node:crypto');
const ts = require('typescript');

const IMPORT_META_TO_COMMONJS = [
  // CommonJS already has `require`; redeclaring it would be a SyntaxError.
  [/^const require = createRequire\(import\.meta\.url\);$/gm, ''],
  [/import\.meta\.url/g, "require('node:url').pathToFileURL(__filename).href"],
  [/import\.meta\.dirname/g, '__dirname'],
  [/import\.meta\.filename/g, '__filename'],
  [/import\.meta\.resolve\(/g, 'require.resolve('],
];

const COMPILER_OPTIONS = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2023,
  allowJs: true,
  esModuleInterop: true,
};

module.exports = {
  process(source, filename) {
    const commonJsReady = IMPORT_META_TO_COMMONJS.reduce((code, [pattern, replacement]) => code.replace(pattern, replacement), source);
    return { code: ts.transpileModule(commonJsReady, { fileName: filename, compilerOptions: COMPILER_OPTIONS }).outputText };
  },
  getCacheKey(source, filename) {
    return createHash('sha256').update(ts.version).update(__filename).update(filename).update(source).digest('hex');
  },
};
