"""The pure workflow core: definitions, validation, decisions and rendering.

Nothing in this package imports Django or any other Ordo layer (an import-linter contract enforces
it), so the rules can be tested and reasoned about without a database.
"""
