"""Budget rules (TL4xx): deadlines and remaining time kept by hand."""
