"""Introloop: make sure no introduction in a job search is ever dropped."""

__version__ = "0.1.0"
