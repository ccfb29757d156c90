// Memories in IndexedDB, named by the Node cache's keys: per-frame video tokens [T, 64, H] as f16 bits (the Node
// cache's default precision, half the space), with the facts a later question needs.
export interface StoredMemory {
  key: string;
  frames: number;
  hidden: number;
  durationS: number;
  /** f16 bit patterns of the tokens. */
  bits: Uint16Array;
  video: string;
  created: string;
}

const DB = "hourllava";
const STORE = "memories";

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error("IndexedDB request failed"));
  });
}

export class MemoryStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(): Promise<MemoryStore> {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: "key" });
    return new MemoryStore(await request(r));
  }

  async get(key: string): Promise<StoredMemory | undefined> {
    return request(this.db.transaction(STORE).objectStore(STORE).get(key) as IDBRequest<StoredMemory | undefined>);
  }

  async put(m: StoredMemory): Promise<void> {
    const tx = this.db.transaction(STORE, "readwrite");
    tx.objectStore(STORE).put(m);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("IndexedDB write failed"));
    });
  }

  async keys(): Promise<string[]> {
    return (await request(this.db.transaction(STORE).objectStore(STORE).getAllKeys())) as string[];
  }

  async clear(): Promise<void> {
    await request(this.db.transaction(STORE, "readwrite").objectStore(STORE).clear());
  }
}
