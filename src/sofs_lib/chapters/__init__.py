"""Chapter packages: each chapter's logic lives in its own folder."""
