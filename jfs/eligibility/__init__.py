"""Eligibility screening in the Django project: the rule book, facts from requests, the shadow report.

The rules and both evaluators live in ``jfslib.eligibility`` (pure Python); this app
only loads the rule files at start-up and turns JFS records into facts.
"""
