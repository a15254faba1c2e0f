"""File actions: safe archive extraction, notebook-to-script export, and the task records
that long file-producing work (extractions, model conversions) reports progress through."""
