"""What every page shares: the layout, the style sheet, money/date/status filters, the language a
page speaks, and a page's translations of error and guard codes."""
