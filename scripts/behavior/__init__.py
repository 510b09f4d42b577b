"""Toolkit for the user-behavior analytics project: generate, load, report."""

__version__ = "0.1.0"
