// The book is light-only: its provenance tints, figures and captions are designed and tested
// (tests/test_browser.py) for a light page. Whatever the reader's OS prefers or an earlier visit
// stored, the page is shown in light mode, and the theme's mode switch is hidden (sofs.css).
(function () {
  var root = document.documentElement;
  root.dataset.mode = "light";
  root.dataset.theme = "light";
  try { localStorage.setItem("mode", "light"); localStorage.setItem("theme", "light"); } catch (e) {}
})();
