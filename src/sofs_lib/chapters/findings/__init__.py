"""The findings page: every chapter's answer box, gathered."""
