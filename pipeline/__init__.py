"""Reading, cleaning and structuring policy documents (load → normalize → segment)."""
