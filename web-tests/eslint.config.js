// ESLint for the web front-end (web/*.js, plain ES modules in the browser, no build step).
// Run from the repository root: `make lint` (npx --prefix web-tests eslint -c web-tests/eslint.config.js web).
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["web/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none" }],
      "no-shadow": "error",
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: ["error", "always"],
      "no-implicit-globals": "error",
      "no-alert": "error",
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-restricted-properties": ["error",
        { property: "innerHTML", message: "Build elements with h() (web/ui.js): API text is never parsed as HTML." },
        { property: "outerHTML", message: "Build elements with h() (web/ui.js)." }],
    },
  },
];
