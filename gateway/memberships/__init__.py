"""Task-force memberships, kept from the projects feed: the projects a member's token carries."""
