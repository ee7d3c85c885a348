"""Reading and writing: the cycle config, input sources, artefacts and saved models."""
