import { useEffect, useState } from 'preact/hooks';

/** The state of one read: loading, its value, or why it failed. */
export type Load<T> = { readonly state: 'loading' } | { readonly state: 'done'; readonly value: T } | { readonly state: 'failed'; readonly error: Error };

/**
 * Runs `read` whenever `key` changes and keeps only the latest answer, so that a slow reply
 * to an earlier search cannot overwrite a newer one.
 */
export function useLoad<T>(read: () => Promise<T>, key: string): Load<T> {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setLoad({ state: 'loading' });
    read().then(
      (value) => current && setLoad({ state: 'done', value }),
      (error: Error) => current && setLoad({ state: 'failed', error }),
    );
    return () => {
      current = false;
    };
  }, [key]);
  return load;
}
