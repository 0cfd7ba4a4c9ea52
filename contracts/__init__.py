"""The event payloads (and the few vocabularies that cross service boundaries) each service
promises to publish, one module per producer. Imports only the kernel's types and pydantic."""
