"""Who may call the API, how often, and with how large a request."""
