import { expect } from "chai";

/**
 * Awaits `promise`, expects it to reject with an instance of `errorClass` (exactly that class,
 * not merely a parent), and returns the error so the test can check its fields.
 */
export async function expectRejection<T extends Error>(
  promise: Promise<unknown>,
  // biome-ignore lint/suspicious/noExplicitAny: any constructor signature (`unknown[]` rejects classes with typed parameters)
  errorClass: abstract new (...args: any[]) => T,
): Promise<T> {
  let settled: { value: unknown } | undefined;
  try {
    settled = { value: await promise };
  } catch (error) {
    expect(error, `expected ${errorClass.name}, got ${String(error)}`).to.be.instanceOf(errorClass);
    expect((error as Error).constructor, `expected exactly ${errorClass.name}`).to.equal(errorClass);
    return error as T;
  }
  expect.fail(`expected a ${errorClass.name} rejection, but it resolved with ${String(settled.value)}`);
}
