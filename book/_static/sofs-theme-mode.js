// A first visit has no stored colour mode; give the theme a valid one ("auto") instead of an
// empty string, which the theme's script reports as an error in the console.
if (!document.documentElement.dataset.mode) { document.documentElement.dataset.mode = "auto"; }
