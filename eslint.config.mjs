// Flat config. Uses the non-type-checked typescript-eslint presets on purpose:
// type-aware linting needs a full TypeScript program and would make
// `npm run lint` several times slower for little extra signal over `tsc`.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.herald-data/**', 'test/.tmp/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // `_`-prefixed names mark parameters required by a signature (NestJS
      // interfaces, callbacks) but unused by the implementation.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Visible but not blocking: some framework and test boundaries are
      // genuinely untyped.
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
);
