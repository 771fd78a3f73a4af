// The progress of a zip of certificates: asks the server how far the job is until the zip is ready or
// has failed. Every text shown comes from the page's `download-text` block (translated by Django).
(() => {
  const box = document.getElementById("download-batch");
  const textBlock = document.getElementById("download-text");
  if (!box || !textBlock) return;
  const T = JSON.parse(textBlock.textContent);
  const bar = document.getElementById("download-progress");
  const state = document.getElementById("download-state");
  const count = document.getElementById("download-count");
  const error = document.getElementById("download-error");
  const ready = document.getElementById("download-ready");
  const link = document.getElementById("download-link");
  const sha = document.getElementById("download-sha");
  const EVERY_MS = 1000;

  function fmt(template, params) {
    return String(template).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  }

  function show(progress) {
    box.dataset.state = progress.state;
    state.textContent = progress.state_label;
    bar.max = Math.max(progress.total, 1);
    bar.value = progress.done;
    count.textContent = fmt(T.files, { done: progress.done, total: progress.total });
    error.hidden = progress.state !== "failed";
    error.textContent = progress.state === "failed" ? fmt(T.failed, { error: progress.error }) : "";
    ready.hidden = !progress.download_url;
    if (progress.download_url) {
      link.href = progress.download_url;
      sha.textContent = progress.sha256;
    }
    return progress.state === "waiting" || progress.state === "running";
  }

  async function poll() {
    let again = true;
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" },
                                                               credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      again = show(await response.json());
    } catch {
      count.textContent = T.lost;
    }
    if (again) setTimeout(poll, EVERY_MS);
  }

  if (box.dataset.state === "waiting" || box.dataset.state === "running") poll();
  else count.textContent = fmt(T.files, { done: bar.value, total: bar.max });
})();
