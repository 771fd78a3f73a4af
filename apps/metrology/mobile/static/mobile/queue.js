// The values waiting to be sent, in IndexedDB so that a reload or a lost connection loses none.
// Each entry keeps its client request id: sending it twice changes nothing on the server.

const DB_NAME = "metrology-mobile";
const STORE = "saves";
let opening = null;

function database() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, {keyPath: "seq", autoIncrement: true});
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

// Resolves once the transaction is committed, not merely when the request succeeded.
async function transact(mode, action) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = action(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

export function enqueue(save) {
  return transact("readwrite", (store) => store.add(save));
}

export function queued() {
  return transact("readonly", (store) => store.getAll());  // in key order: the order typed
}

export function dequeue(seq) {
  return transact("readwrite", (store) => store.delete(seq));
}
