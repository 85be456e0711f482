"""trackboard: a self-hosted experiment tracker with a wandb-compatible API."""

__version__ = "0.1.0"
