/**
 * The URL of the module `name` beside `base` (pass `import.meta.url`), with `base`'s own extension:
 * `.ts` when the SDK runs from its sources (Node's type stripping), `.js` in the built package
 * (`dist/`). For worker-thread and child-process entry files, whose URLs TypeScript's import
 * rewriting cannot see.
 *
 * @example
 * new Worker(siblingModuleUrl("worker", import.meta.url))
 */
export function siblingModuleUrl(name: string, base: string): URL {
  const extension = new URL(base).pathname.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./${name}${extension}`, base);
}
