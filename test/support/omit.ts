/** A copy of `object` without `key`, as `const { key, ...rest } = object` gives, for tests that never read the key. */
export function omit<T extends object, K extends keyof T>(object: T, key: K): Omit<T, K> {
  return Object.fromEntries(Object.entries(object).filter(([name]) => name !== key)) as Omit<T, K>;
}
