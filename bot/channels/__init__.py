"""Channel adapters: they translate between a transport and the assistant, nothing more."""
