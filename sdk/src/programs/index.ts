// Sample programs (AssemblyScript sources in sdk/programs/) and helpers for their inputs/outputs.
export { ASC_FLAGS, ProgramCompileError, SAMPLE_PROGRAMS, compileProgram, type SampleProgramName } from "./compile.ts";
export * from "./csvstats.ts";
export * from "./mandelbrot-image.ts";
export * from "./mandelbrot.ts";
export * from "./montecarlo.ts";
export * from "./sample-programs.ts";
