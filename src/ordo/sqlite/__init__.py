"""Ordo's SQLite database backend: Django's, with writers queued in the kernel (see ``base``)."""
