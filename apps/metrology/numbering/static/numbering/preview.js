// Live preview of the next number on the numbering scheme form. The number comes from the server, made
// by the same code as allocation; every text shown comes from the page's `numbering-preview-text` block.
(() => {
  const box = document.getElementById("number-preview");
  const textBlock = document.getElementById("numbering-preview-text");
  if (!box || !textBlock) return;
  const T = JSON.parse(textBlock.textContent);
  const form = box.closest("form");
  const number = document.getElementById("number-preview-number");
  const problems = document.getElementById("number-preview-problems");
  const PARTS = ["prefix", "date_part", "separator", "sequence_width", "suffix", "reset"];
  let timer = null;
  let asked = 0;

  function showProblems(list) {
    problems.replaceChildren(...list.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
  }

  async function refresh() {
    const params = new URLSearchParams();
    for (const name of PARTS) {
      const field = form.elements.namedItem(name);
      if (field) params.set(name, field.value);
    }
    const mine = ++asked;
    box.dataset.state = "loading";
    try {
      const response = await fetch(`${box.dataset.url}?${params}`, {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (mine !== asked) return;
      number.textContent = data.number;
      showProblems(data.problems || []);
      box.dataset.state = "ready";
    } catch (error) {
      if (mine !== asked) return;
      showProblems([T.failed]);
      box.dataset.state = "failed";
    }
  }

  function later(event) {
    if (!PARTS.includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();
})();
