"""Chains: YAML-defined multi-step runs (load and validate, run, presets, editing)."""
