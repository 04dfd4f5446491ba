// Jest runs modules inside a vm context, where Node only serves `import()`
// with --experimental-vm-modules. PGlite (embedded mode's database) loads Node
// built-ins that way, so tests booting embedded mode in-process would fail
// under a plain `jest`. This transform, applied to PGlite only, turns
// `import("<node built-in>")` into an equivalent require; every other import
// is left untouched. Production runs in plain Node and never sees it.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { builtinModules } = require('node:module');

// Jest caches transformed files; keying on this file too means an edit here is never masked by a stale cache.
const SELF = readFileSync(__filename, 'utf8');

const BUILTIN_IMPORT = /\bimport\((["'])([a-z_/]+)\1\)/g;
// PGlite's Emscripten code declares its own local `require`, so the module's
// require is captured under a name nothing else uses.
const REQUIRE = '__builtinImportRequire';

module.exports = {
  getCacheKey(source, path) {
    return createHash('sha256').update(SELF).update(path).update(source).digest('hex');
  },
  process(source) {
    const code = source.replace(BUILTIN_IMPORT, (match, quote, name) =>
      builtinModules.includes(name) ? `Promise.resolve(${REQUIRE}(${quote}${name}${quote}))` : match,
    );
    return { code: `var ${REQUIRE} = require;${code}` };
  },
};
