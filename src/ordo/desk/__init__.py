"""The staff desk: the order list, the order card, manual order entry, workflow diagrams and the
timer forecast."""
