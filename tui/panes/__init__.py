"""The four panes of the console screen, one file each."""
