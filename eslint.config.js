// The project lints itself: typescript-eslint's strict, type-checked rules over the sources, rules and tests.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/**', 'scripts/**', 'coverage/**', 'test/support/fuzz-worker.mjs', 'test/support/mermaid-check.mjs', 'test/support/*.mjs', 'action/dist/**', 'eslint.config.js', 'jest.config.js', 'bin/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      // tsconfig.test.json covers src/, rules/ and test/ (tsconfig.json, the build's, leaves the tests out).
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Messages and fix SQL interpolate counts, sizes and bounds everywhere; a number prints as written, the rule's catch is objects and undefined.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Statement handlers end with `return applyX(…)` of a void call to leave a switch; that returns nothing, which is what the rule guards.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreVoidReturningFunctions: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // A test reads values it has just produced (`findings.find(...)!.fix!.sql`): when one is missing, the test fails
      // at that line with a TypeError, which is the failure the assertion would give. Sources and rules keep the rule.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
