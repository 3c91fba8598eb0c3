"""Chapter-agnostic statistics."""
