"""Screens of the console: the panes screen and one detail screen per kind of resource."""
