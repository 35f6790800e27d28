"""HTTP routers: parse the request, call a component, shape the response; nothing more."""
