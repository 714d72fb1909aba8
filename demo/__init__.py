"""The embedded incident world of shipdeck: AWS (moto + a thin gateway) and EKS (kmock).

Public entry points: :func:`demo.launcher.start_world` (a world in a child process),
``python -m demo serve`` (the same, in the foreground), and
:func:`demo.scenario.load_scenario` for scenario files (format: docs/scenario.md).
The world shares no code with the product it is used to test.
"""
