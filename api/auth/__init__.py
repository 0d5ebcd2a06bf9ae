"""Authentication and roles: API keys and console sign-in, the dependencies routes use.

Routes import `api.auth.deps` (CurrentUser, require_roles, SessionDep).
"""
