// One lint configuration for the three workspaces: the JavaScript and TypeScript recommendations, the rules of
// hooks (a hook called conditionally or an effect missing a dependency is a bug a test rarely catches), and the
// accessibility rules for JSX (a clinician may use a keyboard or a screen reader; axe checks the rendered pages,
// this checks every component, rendered by a test or not).
import js from "@eslint/js";
import globals from "globals";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  jsxA11y.flatConfigs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      // The two data hooks take a dependency list as useEffect does: their callers' lists are checked as effects' are.
      "react-hooks/exhaustive-deps": ["error", { additionalHooks: "(useApiResource|usePagedResource)" }],
      // `role` on a component (SessionProvider's role="clinician") is a prop, not an ARIA role.
      "jsx-a11y/aria-role": ["error", { ignoreNonDOM: true }],
      // An unused name is an error, except one spelled `_` on purpose (a skipped tuple element or parameter).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/vite.config.ts", "**/vitest.config.ts", "vite/**"],
    languageOptions: { globals: { ...globals.node } },
  },
);
