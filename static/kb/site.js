// A few lines, none needed to read: load the YouTube player only when the reader asks,
// and copy a page's address for sharing.
document.addEventListener("click", (event) => {
  const start = event.target.closest("[data-player] .player-start");
  if (start) {
    event.preventDefault();
    // The server builds the embed: it starts where the words start and, for a clip,
    // stops where they end.
    const frame = document.createElement("iframe");
    frame.src = start.dataset.embed;
    frame.title = "YouTube video player";
    frame.allow = "autoplay; encrypted-media; picture-in-picture";
    frame.allowFullscreen = true;
    start.closest("[data-player]").replaceChildren(frame);
    return;
  }
  const copy = event.target.closest("[data-copy]");
  if (copy && navigator.clipboard) {
    event.preventDefault();
    navigator.clipboard.writeText(copy.href).then(() => {
      copy.textContent = "Link copied";
    });
  }
});

// The transcript. Its chapters and parts are closed <details>: open the ones around the
// moment a reader arrives at or follows a link to (not every browser does it for a
// fragment's target), and find words over every chapter, open or not.
function reveal(element) {
  for (let details = element.closest("details"); details; ) {
    details.open = true;
    details = details.parentElement.closest("details");
  }
}

function arrive() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (!target || !target.closest(".transcript")) return;
  reveal(target);
  // A chapter (from the index, or its heading's moment) opens at its first part.
  const chapter = target.matches("details.chapter") ? target : target.closest("summary")?.parentElement;
  const first = chapter?.querySelector("details.part");
  if (first) first.open = true;
  target.scrollIntoView();
}

if (document.querySelector(".transcript")) {
  arrive();
  addEventListener("hashchange", arrive);
}

const find = document.querySelector("[data-find]");
if (find) {
  const input = find.querySelector("input[type=search]");
  const status = find.querySelector(".find-status");
  const steps = find.querySelector(".find-nav");
  let hits = [];
  let current = -1;
  let term = "";

  const clear = () => {
    for (const mark of document.querySelectorAll(".transcript mark.hit")) {
      const parent = mark.parentNode;
      mark.replaceWith(...mark.childNodes);
      parent.normalize();
    }
    for (const found of document.querySelectorAll(".toc .found")) found.remove();
    hits = [];
    current = -1;
  };

  const search = (words) => {
    clear();
    term = words;
    const needle = words.toLocaleLowerCase();
    const walker = document.createTreeWalker(document.querySelector(".transcript"), NodeFilter.SHOW_TEXT, {
      acceptNode: (node) =>
        node.parentElement.closest(".seg, .seg-chapter") && !node.parentElement.closest(".time")
          ? NodeFilter.FILTER_ACCEPT
          : NodeFilter.FILTER_REJECT,
    });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (let node of nodes) {
      let at = node.data.toLocaleLowerCase().indexOf(needle);
      while (at !== -1) {
        const hit = node.splitText(at);
        node = hit.splitText(needle.length);
        const mark = document.createElement("mark");
        mark.className = "hit";
        hit.replaceWith(mark);
        mark.append(hit);
        hits.push(mark);
        at = node.data.toLocaleLowerCase().indexOf(needle);
      }
    }
    // Beside each chapter in the index: how many times it says the words.
    const counts = new Map();
    for (const hit of hits) {
      const chapter = hit.closest("details.chapter");
      counts.set(chapter.id, (counts.get(chapter.id) || 0) + 1);
    }
    for (const [id, count] of counts) {
      const entry = document.querySelector(`.toc a[href="#${id}"]`);
      if (!entry) continue;
      const found = document.createElement("span");
      found.className = "found";
      found.textContent = ` ${count} found`;
      entry.after(found);
    }
  };

  const go = (step) => {
    if (!hits.length) return;
    hits[current]?.classList.remove("current");
    current = (current + step + hits.length) % hits.length;
    const hit = hits[current];
    hit.classList.add("current");
    reveal(hit);
    hit.scrollIntoView({ block: "center" });
    status.textContent = `${current + 1} of ${hits.length}`;
  };

  find.addEventListener("submit", (event) => {
    event.preventDefault();
    const words = input.value.trim();
    if (!words) return;
    if (words !== term) {
      search(words);
      find.classList.add("finding");
      if (!hits.length) {
        steps.hidden = true;
        // Not said in these words here: the site's search may find it said otherwise.
        const elsewhere = document.createElement("a");
        elsewhere.href = `${find.action}?${new URLSearchParams(new FormData(find))}`;
        elsewhere.textContent = "search by meaning";
        status.replaceChildren(`Not found in this transcript; `, elsewhere, ".");
        return;
      }
      steps.hidden = hits.length < 2;
    }
    go(1);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.shiftKey) {
      event.preventDefault();
      go(-1);
    }
  });
  find.addEventListener("click", (event) => {
    const step = event.target.closest("[data-find-step]");
    if (step) go(Number(step.dataset.findStep));
  });
}
