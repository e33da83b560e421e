"""Government data exchange: registry adapters (GDX wire format), resilience, and registry checks on requests.

``services.run_checks`` asks the registries about a request's applicant and stores one
``RegistryCheck`` per kind of fact; see docs/data-exchange.md.
"""
