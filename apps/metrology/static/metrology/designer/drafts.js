// Unsaved work kept in this browser (localStorage, one entry per procedure version), so that a
// reload, a crash or an expired session loses nothing typed.

const PREFIX = "metrology.designer.draft.";

function storage() {
  try {
    return window.localStorage;
  } catch (error) {
    return null;
  }
}

export function readDraft(versionId) {
  const store = storage();
  if (!store) return null;
  try {
    const stored = JSON.parse(store.getItem(PREFIX + versionId) || "null");
    return stored && typeof stored.definition === "object" ? stored : null;
  } catch (error) {
    return null;
  }
}

export function writeDraft(versionId, definition, runInputs) {
  const store = storage();
  if (!store) return false;
  try {
    store.setItem(PREFIX + versionId, JSON.stringify({definition, runInputs, at: Date.now()}));
    return true;
  } catch (error) {
    return false;  // full or disabled storage: the page still works, only without this safety net
  }
}

export function clearDraft(versionId) {
  const store = storage();
  if (store) store.removeItem(PREFIX + versionId);
}
