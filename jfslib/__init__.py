"""Pure-Python engines of the Justice Fund system.

Nothing in this package imports Django: the rules of the domain (national ID
check digits, Buddhist-era dates and fiscal years, Thai working days, workflow
definitions) live here so they can be tested exhaustively and reused by the
web app, management commands, background tasks and bulk pipelines alike.
"""
