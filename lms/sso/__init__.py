"""Single sign-on with OpenID Connect: an organisation signs its people in with its own
identity provider (Microsoft Entra ID, the federal government's OIDC service...)."""
