"""Output formats. Each module turns finished results into text; nothing else does."""
