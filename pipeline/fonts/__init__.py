"""Font files taizhang ships (see ``pipeline/pdf_fonts.py`` for what they are for)."""
