"""The search index: its files on disk (index.py, dense.py) and its build from the registry
(items.py: documents → cards and passages; indexing.py: the build)."""
