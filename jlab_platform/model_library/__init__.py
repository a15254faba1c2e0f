"""The model library: named models, their trainings, immutable versions, aliases, batch predictions."""
