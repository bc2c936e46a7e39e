// Host functions of program ABI v1 (docs/program-abi.md) and small helpers around them.
// AssemblyScript, compiled by scripts/build-programs.ts; not part of the TypeScript SDK build.

@external("hashwork", "input_size")
declare function input_size(): i32;

@external("hashwork", "input_read")
declare function input_read(ptr: usize, offset: u32, len: u32): void;

@external("hashwork", "output_write")
declare function output_write(ptr: usize, len: u32): void;

/** The whole input, copied into a new buffer. */
export function readInput(): Uint8Array {
  const size = input_size();
  const input = new Uint8Array(size);
  if (size > 0) input_read(input.dataStart, 0, <u32>size);
  return input;
}

/** Appends bytes to the output. */
export function writeBytes(bytes: Uint8Array): void {
  if (bytes.length > 0) output_write(bytes.dataStart, <u32>bytes.length);
}

/** Appends a string, UTF-8 encoded, to the output. */
export function writeString(text: string): void {
  const bytes = String.UTF8.encode(text);
  output_write(changetype<usize>(bytes), <u32>bytes.byteLength);
}
