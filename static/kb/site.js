// A few lines, none needed to read: load the YouTube player only when the reader asks.
document.addEventListener("click", (event) => {
  const start = event.target.closest("[data-player] .player-start");
  if (!start) return;
  event.preventDefault();
  const box = start.closest("[data-player]");
  const id = box.dataset.youtubeId;
  const at = parseInt(start.dataset.start || "0", 10);
  // A clip stops where its words end.
  const end = parseInt(start.dataset.end || "0", 10);
  const frame = document.createElement("iframe");
  frame.src = `https://www.youtube-nocookie.com/embed/${encodeURIComponent(id)}?autoplay=1&start=${at}` +
    (end > at ? `&end=${end}` : "");
  frame.title = "YouTube video player";
  frame.allow = "autoplay; encrypted-media; picture-in-picture";
  frame.allowFullscreen = true;
  box.replaceChildren(frame);
});
