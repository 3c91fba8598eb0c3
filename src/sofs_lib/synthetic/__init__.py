"""Data generators (every number they produce is synthetic)."""
