"""Engine version, stamped on every result (bump rules in docs/engine.md)."""

ENGINE_VERSION = "2.0.0"
