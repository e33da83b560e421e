"""The citizen e-Service portal's pages: public information, sign-in, self-check, applications,
tracking, complaints, consultation. Pages translate HTTP; the apps below hold the rules."""
