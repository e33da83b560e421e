"""Citizens on the e-Service portal: their accounts, how they signed in (the state digital ID over
OpenID Connect, or a one-time code at a lower assurance), the verified facts the digital ID gave."""
