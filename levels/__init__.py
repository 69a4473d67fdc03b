"""The built-in levels: TOML files shipped as package data (this file only makes the folder findable)."""
