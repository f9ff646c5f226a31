/** The JWT lives in localStorage so a reload keeps the session; listeners learn about sign-in/out. */
export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
  subscribe(listener: (token: string | null) => void): () => void;
}

export const TOKEN_KEY = 'sokhan.token';

export function createTokenStore(storage: Storage | null, key: string = TOKEN_KEY): TokenStore {
  const listeners = new Set<(token: string | null) => void>();
  let memory: string | null = null;
  const read = (): string | null => {
    try {
      return storage ? storage.getItem(key) : memory;
    } catch {
      return memory;
    }
  };
  return {
    get: read,
    set(token) {
      const before = read();
      memory = token;
      try {
        if (storage) {
          if (token === null) storage.removeItem(key);
          else storage.setItem(key, token);
        }
      } catch {
        // Private mode or a full quota: the in-memory copy still serves this tab.
      }
      if (before !== token) for (const listener of listeners) listener(token);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
