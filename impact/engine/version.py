"""Engine version, stamped on every result (bump rules in docs/engine.md)."""

ENGINE_VERSION = "1.0.0"
