"""The spec format: models, loading and checks."""
