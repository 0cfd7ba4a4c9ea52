"""Identity: signing in (users with a password, machine clients with their credentials), refreshing
and ending sessions, the lockout, the password policy, and who am I."""
