"""The test suite, a package so that every test module and helper is imported once, as ``tests.*``."""
