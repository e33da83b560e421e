"""Online applications: drafts saved and resumed, questions from the service's details schema,
PDPA consent, facts fetched from the registries with consent (Once-Only), uploads, submission."""
