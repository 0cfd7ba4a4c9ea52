"""User accounts: created, listed and changed by administrators, phones masked, reveals audited."""
