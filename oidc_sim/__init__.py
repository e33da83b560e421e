"""A local OpenID Connect provider in the style of the state digital ID (ThaID): a separate service for development and tests."""
