// The static import graph of an ES module (TypeScript sources or built JavaScript), for the
// package tests: which Node built-ins a module pulls in when it loads. Dynamic `import()` is not
// followed (it loads on use), nor are type-only imports and exports (erased). Bare specifiers
// other than built-ins (viem) are leaves.
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, resolve } from "node:path";

import ts from "typescript";

export type BuiltinImport = { file: string; specifier: string };

const isBuiltin = (specifier: string) => specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]!);

/** Module specifiers a file imports or re-exports at load time. */
export function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      // `import { type A }` still loads the module under verbatimModuleSyntax; only `import type` does not.
      if (statement.importClause?.isTypeOnly) continue;
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      if (statement.isTypeOnly) continue;
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

/** Every file reached from `entry` through relative static imports, and the built-ins they import. */
export function builtinImportsOf(entry: string): { files: string[]; builtins: BuiltinImport[] } {
  const seen = new Set<string>();
  const builtins: BuiltinImport[] = [];
  const stack = [resolve(entry)];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith(".")) stack.push(resolve(dirname(file), specifier));
      else if (isBuiltin(specifier)) builtins.push({ file, specifier });
    }
  }
  return { files: [...seen].sort(), builtins };
}
