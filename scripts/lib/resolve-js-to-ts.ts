/**
 * Preload (`node --import ./scripts/lib/resolve-js-to-ts.ts …`) that lets a plain Node process
 * load the Ignition modules: they import their siblings as `./x.js`, which Hardhat's own loader
 * maps to `./x.ts`. Here a relative `.js` import that does not exist resolves to the `.ts` file
 * beside it. `npm run demo` runs under plain Node with this hook rather than under `hardhat run`,
 * whose loader transforms every module it loads (importing the AssemblyScript compiler alone took
 * ~10 s that way on a loaded 2-core machine, ~1 s under plain Node).
 */
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND" || !specifier.startsWith(".") || !specifier.endsWith(".js"))
        throw error;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});
