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
