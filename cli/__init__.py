"""The ``shipdeck`` command line: the entry point and the headless commands.

``doctor``, ``action``, ``audit``, ``tail``, ``timeline``, ``fallback-build``
and ``world`` need no UI and import none: this package reads through ``cloud``
and acts through ``actions``. Opening the console goes through one lazy import
(``cli.console``), and the demo world is imported only by the commands that
start it.
"""
